package io.tandem.proxy.h3;

import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicSslEngine;
import io.netty.handler.codec.quic.SslSessionTicketKey;
import io.netty.handler.ssl.ClientAuth;
import io.tandem.config.TlsConfig;
import io.tandem.tls.CaTrust;
import io.tandem.tls.pem.CertificateProblem;
import io.tandem.tls.ServerTls;
import io.tandem.tls.SniSelector;
import io.tandem.tls.pem.KeyCertificate;
import io.vertx.core.Future;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS side of an HTTP/3 listener: one QUIC TLS context (BoringSSL, inside quiche) per certificate of the TCP
 * listener's {@link ServerTls}, chosen by SNI as there ({@link SniSelector}), ALPN {@code h3}, TLS 1.3 only (QUIC has no
 * other). It follows the listener's certificate reloads: a new connection takes the contexts in force.
 */
final class QuicTls {
  private static final String H3 = "h3";

  private record Contexts(QuicSslContext[] byCertificate, SniSelector selector, QuicSslContext byDefault) {}

  private final boolean earlyData;
  private final SslSessionTicketKey ticketKey;
  private volatile Contexts current;

  private QuicTls(boolean earlyData, SslSessionTicketKey ticketKey) {
    this.earlyData = earlyData;
    this.ticketKey = ticketKey;
  }

  /** Contexts for {@code tls}'s certificates, kept current; returns them and the handle that stops following. */
  static QuicTls follow(ServerTls tls, boolean earlyData, SslSessionTicketKey ticketKey, Runnable[] unregister)
      throws CertificateProblem {
    QuicTls q = new QuicTls(earlyData, ticketKey);
    q.current = q.build(tls.config(), tls.certificates());
    unregister[0] = tls.register(options -> {
      try {
        q.current = q.build(tls.config(), tls.certificates());
        return Future.succeededFuture(true);
      } catch (CertificateProblem | RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    return q;
  }

  private Contexts build(TlsConfig config, List<KeyCertificate> certs) throws CertificateProblem {
    TrustManagerFactory clients = config.clientAuth() == TlsConfig.ClientAuth.NONE ? null
        : CaTrust.load(config.clientCa(), "client-ca", Instant.now());
    List<List<String>> names = certs.stream().map(KeyCertificate::names).toList();
    int defaultIndex = config.defaultName() == null ? 0 : Math.max(0, SniSelector.indexOf(names, config.defaultName()));
    SniSelector selector = new SniSelector(names, defaultIndex);
    QuicSslContext[] contexts = new QuicSslContext[certs.size()];
    for (int i = 0; i < contexts.length; i++) {
      contexts[i] = tickets(builder(certs.get(i), config, clients).build());
    }
    Contexts[] self = new Contexts[1];
    QuicSslContextBuilder top = builder(certs.get(defaultIndex), config, clients);
    if (certs.size() > 1) {
      top.sni(name -> self[0].byCertificate[self[0].selector.select(name)]);
    }
    QuicSslContext byDefault = tickets(top.build());
    self[0] = new Contexts(contexts, selector, byDefault);
    return self[0];
  }

  /**
   * One ticket key for every context, across reloads and nodes: a ticket issued under the certificate SNI chose is
   * read under the context a resuming handshake starts in.
   */
  private QuicSslContext tickets(QuicSslContext context) {
    context.sessionContext().setTicketKeys(ticketKey);
    return context;
  }

  private QuicSslContextBuilder builder(KeyCertificate cert, TlsConfig config, TrustManagerFactory clients) {
    QuicSslContextBuilder b = QuicSslContextBuilder.forServer(cert.key(), null,
            cert.chain().toArray(new X509Certificate[0]))
        .applicationProtocols(H3)
        .earlyData(earlyData);
    if (clients != null) {
      b.trustManager(clients).clientAuth(config.clientAuth() == TlsConfig.ClientAuth.REQUIRED ? ClientAuth.REQUIRE
          : ClientAuth.OPTIONAL);
    }
    return b;
  }

  /** A TLS engine for a new connection (the codec's event loop). */
  QuicSslEngine newEngine(QuicChannel channel) {
    return current.byDefault.newEngine(channel.alloc());
  }
}
