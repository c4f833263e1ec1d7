package io.tandem.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
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

  /**
   * A Netty client context for a pool's backend connections on Tandem's own HTTP/1.1 path (trust as for
   * {@link #applyTo}); {@link #handler} makes each connection's handler. Control plane: reads the CA file.
   */
  public static SslContext nettyContext(BackendTlsConfig tls) throws CertificateProblem {
    return nettyContext(tls, false);
  }

  /** The same; {@code h2}: ALPN offers only {@code h2} (an HTTP/2 pool), and a backend that picks none is refused. */
  public static SslContext nettyContext(BackendTlsConfig tls, boolean h2) throws CertificateProblem {
    SslContextBuilder b = SslContextBuilder.forClient();
    if (h2) {
      b.applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
          io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
          io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
          io.netty.handler.ssl.ApplicationProtocolNames.HTTP_2));
    }
    if (tls.trustAll()) {
      b.trustManager(InsecureTrustManagerFactory.INSTANCE);
    } else if (tls.ca() != null) {
      b.trustManager(CaTrust.load(tls.ca(), "ca", Instant.now()));
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new CertificateProblem("ca", "cannot build a TLS client context: " + e.getMessage());
    }
  }

  /**
   * The TLS handler of one backend connection: SNI is the pool's {@code server-name}, else the backend's host, and
   * the certificate must be for that name unless {@code trust-all}.
   */
  public static SslHandler handler(SslContext context, BackendTlsConfig tls, ByteBufAllocator alloc, String host,
      int port) {
    String peer = tls.serverName() != null ? tls.serverName() : host;
    SslHandler handler = context.newHandler(alloc, peer, port);
    if (!tls.trustAll()) {
      SSLEngine engine = handler.engine();
      SSLParameters params = engine.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(params);
    }
    return handler;
  }

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
