package io.tandem.tls;

import io.tandem.tls.pem.CertificateProblem;
import io.tandem.tls.pem.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust in the CA certificates of one PEM bundle (instead of the JVM's trust store): for verifying clients (mTLS),
 * backends (re-encryption) and, in {@code tandem ctl --cacert}, an admin listener.
 *
 * <p>Example: {@code CaTrust.load(Path.of("ca.pem"), "ca", Instant.now()).getTrustManagers()}, or a
 * {@link CertificateProblem} naming the file, such as {@code ca.pem: file not found}.
 */
public final class CaTrust {
  private CaTrust() {}

  /** The certificates of {@code file}, each valid at {@code now}; {@code field} names the setting in a problem. */
  public static TrustManagerFactory load(Path file, String field, Instant now) throws CertificateProblem {
    return of(PemFiles.caBundle(file, field, now));
  }

  private static TrustManagerFactory of(List<X509Certificate> cas) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return tmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store in memory", e);
    }
  }
}
