package io.tandem.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import javax.net.ssl.SSLSession;

/**
 * What a TLS connection negotiated: protocol version, cipher suite and the server name the client indicated (SNI).
 * Read once per connection from its session and kept on the channel, so routing rules ({@code match.sni}) and the
 * access log read them per request for the cost of an attribute lookup.
 *
 * @param sni           null when the client sent no server name
 * @param clientSubject the subject (RFC 2253) of the certificate the client presented (mTLS), or null
 */
public record TlsFacts(String protocol, String cipher, String sni, String clientSubject) {
  private static final AttributeKey<TlsFacts> KEY = AttributeKey.valueOf("tandem.tls");

  /** The facts of a connection, or null for a plain one. Event loop of the connection. */
  public static TlsFacts of(HttpConnection conn) {
    return conn != null && conn.isSsl() && conn instanceof ConnectionBase base ? of(base.channel()) : null;
  }

  /** The facts of a channel with an {@link SslHandler} that completed its handshake, or null for a plain one. */
  public static TlsFacts of(Channel ch) {
    TlsFacts facts = ch.attr(KEY).get();
    if (facts == null) {
      SslHandler ssl = ch.pipeline().get(SslHandler.class);
      SSLSession s = ssl == null ? null : ssl.engine().getSession();
      if (s == null) {
        return null;
      }
      // Only a listener that asks for client certificates can have one: no exception per plain TLS connection.
      boolean asks = ssl.engine().getNeedClientAuth() || ssl.engine().getWantClientAuth();
      facts = new TlsFacts(s.getProtocol(), s.getCipherSuite(), SniKeyManager.serverName(s),
          asks ? clientSubject(s) : null);
      ch.attr(KEY).set(facts);
    }
    return facts;
  }

  /**
   * The facts of a QUIC connection's TLS engine (an HTTP/3 listener): its SNI is the one the engine's context was
   * chosen by. Kept on {@code ch} (a request stream) for {@link #of(Channel)}.
   */
  public static TlsFacts attach(Channel ch, javax.net.ssl.SSLEngine engine) {
    TlsFacts facts = null;
    SSLSession s = engine == null ? null : engine.getSession();
    if (s != null) {
      String sni = null;
      java.util.List<javax.net.ssl.SNIServerName> names = engine.getSSLParameters().getServerNames();
      if (names != null) {
        for (javax.net.ssl.SNIServerName n : names) {
          if (n instanceof javax.net.ssl.SNIHostName h) {
            sni = h.getAsciiName();
          }
        }
      }
      boolean asks = engine.getNeedClientAuth() || engine.getWantClientAuth();
      facts = new TlsFacts(s.getProtocol(), s.getCipherSuite(), sni, asks ? clientSubject(s) : null);
      ch.attr(KEY).set(facts);
    }
    return facts;
  }

  private static String clientSubject(SSLSession s) {
    try {
      java.security.cert.Certificate[] chain = s.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x
          ? x.getSubjectX500Principal().getName() : null;
    } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
      return null;
    }
  }
}
