package io.tandem.config;

import java.time.Duration;
import java.util.List;

/**
 * One front-end listener (YAML list {@code listeners}).
 *
 * @param name           unique name, used in logs and metrics
 * @param host           bind address, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port           bind port (0 picks a free port, for tests)
 * @param protocol       {@code http} or {@code tcp}
 * @param defaultPool    pool used when no route matches; a {@code tcp} listener's only pool (YAML {@code pool})
 * @param routes         routing rules, first match wins
 * @param maxConnections maximum concurrent client connections; further connections are closed at once
 * @param timeouts       client-side timeouts ({@code tcp}: only {@code idle}, no byte either way for this long)
 * @param limits         request size limits
 * @param trustForwarded keep an incoming {@code X-Request-Id} instead of replacing it
 * @param proxyProtocol  PROXY protocol headers accepted from outer balancers ({@code tcp} listeners only)
 * @param tls            TLS settings (an HTTPS listener), or null for plain HTTP
 * @param redirectToHttps on a plain listener, the HTTPS port to answer every request with a 308 redirect to; 0: off
 */
public record ListenerConfig(
    String name,
    String host,
    int port,
    Protocol protocol,
    String defaultPool,
    List<RouteConfig> routes,
    int maxConnections,
    Timeouts timeouts,
    Limits limits,
    boolean trustForwarded,
    ProxyProtocolAccept proxyProtocol,
    TlsConfig tls,
    int redirectToHttps) {

  public ListenerConfig {
    routes = List.copyOf(routes);
    proxyProtocol = proxyProtocol == null ? ProxyProtocolAccept.OFF : proxyProtocol;
  }

  /** A plain listener that accepts no PROXY protocol header and does not redirect. */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded,
        ProxyProtocolAccept.OFF, null, 0);
  }

  /** A plain listener (a {@code tcp} one may accept PROXY protocol headers). */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded,
      ProxyProtocolAccept proxyProtocol) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded,
        proxyProtocol, null, 0);
  }

  /** A listener that accepts no PROXY protocol header, with TLS or a redirect to HTTPS. */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded,
      TlsConfig tls, int redirectToHttps) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded,
        ProxyProtocolAccept.OFF, tls, redirectToHttps);
  }

  /** The same listener bound to another address (per-node bind overrides). */
  public ListenerConfig withBind(String host, int port) {
    return new ListenerConfig(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits,
        trustForwarded, proxyProtocol, tls, redirectToHttps);
  }

  /**
   * @param requestHeader time allowed to receive a complete request head (408 when exceeded; slowloris)
   * @param requestBody   longest pause between two pieces of a request body (408 when exceeded)
   * @param idle          keep-alive idle time of a client connection between requests
   */
  public record Timeouts(Duration requestHeader, Duration requestBody, Duration idle) {
    public static final Timeouts DEFAULTS =
        new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
  }

  /**
   * @param maxUriLength  longest request line (414 beyond)
   * @param maxHeaderSize largest total header block (431 beyond)
   * @param maxBodySize   largest request body in bytes (413 beyond); 0 means unlimited
   */
  public record Limits(int maxUriLength, int maxHeaderSize, long maxBodySize) {
    public static final Limits DEFAULTS = new Limits(8192, 16384, 10L * 1024 * 1024);
  }
}
