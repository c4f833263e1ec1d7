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
 * @param maxConnectionsPerClient concurrent connections of one client address, cluster-wide; 0 means unlimited
 * @param rateLimits     cluster-wide rate-limit rules; every matching rule must admit a request
 * @param actions        actions run for every request before its route's own (see {@link ActionConfig})
 * @param errorPages     by status, the bodies of the answers Tandem makes itself (a route's own win)
 * @param clientAddress  where a trusted proxy names the real client, or null (the peer, or the PROXY header's)
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
    int redirectToHttps,
    int maxConnectionsPerClient,
    List<RateLimitConfig> rateLimits,
    List<ActionConfig> actions,
    java.util.Map<Integer, ErrorPage> errorPages,
    ClientAddressConfig clientAddress) {

  public ListenerConfig {
    routes = List.copyOf(routes);
    proxyProtocol = proxyProtocol == null ? ProxyProtocolAccept.OFF : proxyProtocol;
    rateLimits = List.copyOf(rateLimits);
    actions = List.copyOf(actions);
    errorPages = java.util.Map.copyOf(errorPages);
  }

  /** A listener without actions or error pages of its own. */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded,
      ProxyProtocolAccept proxyProtocol, TlsConfig tls, int redirectToHttps, int maxConnectionsPerClient,
      List<RateLimitConfig> rateLimits) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded,
        proxyProtocol, tls, redirectToHttps, maxConnectionsPerClient, rateLimits, List.of(), java.util.Map.of(),
        null);
  }

  /** A plain listener without PROXY protocol, redirect, per-client connection limit or rate limits. */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded,
        ProxyProtocolAccept.OFF, null, 0, 0, List.of());
  }

  /** A plain listener (a {@code tcp} one may accept PROXY protocol headers). */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded,
      ProxyProtocolAccept proxyProtocol) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded,
        proxyProtocol, null, 0, 0, List.of());
  }

  /** A listener with TLS or a redirect to HTTPS. */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded,
      TlsConfig tls, int redirectToHttps) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded,
        ProxyProtocolAccept.OFF, tls, redirectToHttps, 0, List.of());
  }

  /** A plain listener with a per-client connection limit and rate limits. */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded,
      int maxConnectionsPerClient, List<RateLimitConfig> rateLimits) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded,
        ProxyProtocolAccept.OFF, null, 0, maxConnectionsPerClient, rateLimits);
  }

  /** The same listener bound to another address (per-node bind overrides); every other setting is kept. */
  public ListenerConfig withBind(String host, int port) {
    return new ListenerConfig(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits,
        trustForwarded, proxyProtocol, tls, redirectToHttps, maxConnectionsPerClient, rateLimits, actions,
        errorPages, clientAddress);
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
   * @param maxHeaderCount most header fields in a request head (431 beyond)
   * @param underscoresInHeaders forward request headers whose names contain {@code _} (off: they are dropped, as
   *                      nginx's {@code underscores_in_headers off} does, so a lenient backend can never read
   *                      {@code Transfer_Encoding} or {@code Content_Length} as a framing header)
   */
  public record Limits(int maxUriLength, int maxHeaderSize, long maxBodySize, int maxHeaderCount,
      boolean underscoresInHeaders) {
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    public static final Limits DEFAULTS = new Limits(8192, 16384, 10L * 1024 * 1024, DEFAULT_MAX_HEADER_COUNT, false);

    public Limits(int maxUriLength, int maxHeaderSize, long maxBodySize) {
      this(maxUriLength, maxHeaderSize, maxBodySize, DEFAULT_MAX_HEADER_COUNT, false);
    }

    public Limits(int maxUriLength, int maxHeaderSize, long maxBodySize, int maxHeaderCount) {
      this(maxUriLength, maxHeaderSize, maxBodySize, maxHeaderCount, false);
    }
  }
}
