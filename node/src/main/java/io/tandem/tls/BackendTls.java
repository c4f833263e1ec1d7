package io.tandem.tls;

import io.tandem.config.BackendTlsConfig;
import io.tandem.tls.pem.CertificateProblem;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.TrustOptions;
import java.time.Instant;

/**
 * TLS from Tandem to a pool's backends (re-encryption). The backend's certificate is verified against the pool's CA
 * bundle (or the JVM's trust store) and must be for the SNI name sent: the pool's {@code server-name}, else the
 * backend's address host. {@code trust-all} turns verification off, only when configured so explicitly.
 *
 * <p>Example: {@code BackendTls.applyTo(new HttpClientOptions(), pool.tls())} before building the pool's client.
 */
public final class BackendTls {
  private BackendTls() {}

  /** Turns TLS on in a client's options. Control plane: reads the CA file. */
  public static void applyTo(ClientOptionsBase options, BackendTlsConfig tls) throws CertificateProblem {
    options.setSsl(true);
    if (tls.trustAll()) {
      options.setTrustAll(true);
      return;
    }
    if (tls.ca() != null) {
      options.setTrustOptions(TrustOptions.wrap(CaTrust.load(tls.ca(), "ca", Instant.now())));
    }
  }
}
