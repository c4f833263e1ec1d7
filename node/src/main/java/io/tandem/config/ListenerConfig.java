package io.tandem.config;

import java.time.Duration;
import java.util.List;

/**
 * One front-end listener (YAML list {@code listeners}).
 *
 * @param name           unique name, used in logs and metrics
 * @param host           bind address, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port           bind port (0 picks a free port, for tests)
 * @param protocol       {@code http}
 * @param defaultPool    pool used when no route matches
 * @param routes         routing rules, first match wins
 * @param maxConnections maximum concurrent client connections; further connections are closed at once
 * @param timeouts       client-side timeouts
 * @param limits         request size limits
 * @param trustForwarded keep an incoming {@code X-Request-Id} instead of replacing it
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
    TlsConfig tls,
    int redirectToHttps) {

  public ListenerConfig {
    routes = List.copyOf(routes);
  }

  /** A plain HTTP listener without redirect (the arity before TLS). */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded, null, 0);
  }

  /** The same listener bound to another address (per-node bind overrides). */
  public ListenerConfig withBind(String host, int port) {
    return new ListenerConfig(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits,
        trustForwarded, tls, redirectToHttps);
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
