package io.tandem.tls.pem;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A private key with its certificate chain (leaf first), checked to belong together and to be valid now.
 *
 * @param names the DNS names the leaf certificate is for (subject alternative names, else the common name), lower
 *              case; wildcards as written, {@code *.example.com}
 */
public record KeyCertificate(PrivateKey key, List<X509Certificate> chain, List<String> names) {
  public KeyCertificate {
    chain = List.copyOf(chain);
    names = List.copyOf(names);
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** {@code RSA}, {@code EC}, {@code Ed25519}, ...: what TLS key exchange this key can sign for. */
  public String keyType() {
    return key.getAlgorithm();
  }

  @Override
  public String toString() {
    return "KeyCertificate" + names + " " + leaf().getSubjectX500Principal().getName();
  }
}
