package io.tandem.proxy.tcp;

import java.net.InetSocketAddress;

/**
 * What a PROXY protocol header says about a connection: the original client and the address it connected to, or
 * nothing ({@link #local()}: a health check from the outer balancer itself, {@code UNKNOWN} or a non-IP family), in
 * which case the connection's own addresses stand.
 *
 * @param source      the original client, or null when local
 * @param destination the address the client connected to, or null when local
 */
public record ProxyHeader(InetSocketAddress source, InetSocketAddress destination) {
  /** A header that carries no addresses. */
  public static final ProxyHeader LOCAL = new ProxyHeader(null, null);

  public boolean local() {
    return source == null;
  }
}
