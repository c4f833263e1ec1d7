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
 * @param h2c            a plain listener also takes HTTP/2 with prior knowledge (cleartext, the connection preface
 *                       first) on the same port
 * @param http2          the HTTP/2 front's guards, for a listener that speaks HTTP/2 (h2c, or TLS with h2 in ALPN);
 *                       null gives the defaults
 * @param http3          HTTP/3 over QUIC on a UDP port beside a TLS listener's TCP one, or null (off)
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
    ClientAddressConfig clientAddress,
    boolean h2c,
    Http2 http2,
    Http3 http3) {

  public ListenerConfig {
    routes = List.copyOf(routes);
    http2 = http2 == null ? Http2.defaults(limits) : http2;
    proxyProtocol = proxyProtocol == null ? ProxyProtocolAccept.OFF : proxyProtocol;
    rateLimits = List.copyOf(rateLimits);
    actions = List.copyOf(actions);
    errorPages = java.util.Map.copyOf(errorPages);
  }

  /** A listener without h2c and with the default HTTP/2 guards. */
  public ListenerConfig(String name, String host, int port, Protocol protocol, String defaultPool,
      List<RouteConfig> routes, int maxConnections, Timeouts timeouts, Limits limits, boolean trustForwarded,
      ProxyProtocolAccept proxyProtocol, TlsConfig tls, int redirectToHttps, int maxConnectionsPerClient,
      List<RateLimitConfig> rateLimits, List<ActionConfig> actions, java.util.Map<Integer, ErrorPage> errorPages,
      ClientAddressConfig clientAddress) {
    this(name, host, port, protocol, defaultPool, routes, maxConnections, timeouts, limits, trustForwarded,
        proxyProtocol, tls, redirectToHttps, maxConnectionsPerClient, rateLimits, actions, errorPages, clientAddress,
        false, null, null);
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
        errorPages, clientAddress, h2c, http2, http3);
  }

  /** Whether the listener speaks HTTP/2: h2c, or TLS offering h2 by ALPN. */
  public boolean speaksHttp2() {
    return speaksHttp2(h2c, tls);
  }

  static boolean speaksHttp2(boolean h2c, TlsConfig tls) {
    return h2c || (tls != null && tls.alpn().contains("h2"));
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

  /**
   * The HTTP/2 front's guards (YAML {@code http2}), announced in the server's SETTINGS and enforced by the codec.
   *
   * @param maxConcurrentStreams  SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open at once; a stream
   *                              beyond is refused (RST_STREAM REFUSED_STREAM)
   * @param maxHeaderListSize     SETTINGS_MAX_HEADER_LIST_SIZE: the decoded header list's size in bytes (RFC 9113's
   *                              count: names, values and 32 per field); a larger request is answered 431
   * @param initialWindowSize     SETTINGS_INITIAL_WINDOW_SIZE: what a client may send on one stream before a
   *                              WINDOW_UPDATE
   * @param connectionWindowSize  what a client may send on the whole connection before a WINDOW_UPDATE
   * @param maxResets             RST_STREAM frames a client may send per {@code resetWindow} (and the server per
   *                              window, for streams it refused) before the connection is closed with GOAWAY
   *                              ENHANCE_YOUR_CALM: the rapid-reset guard (CVE-2023-44487)
   * @param resetWindow           the window of {@code maxResets}, whole seconds
   */
  public record Http2(int maxConcurrentStreams, long maxHeaderListSize, int initialWindowSize,
      int connectionWindowSize, int maxResets, Duration resetWindow) {
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    /** The smallest window HTTP/2 starts with (RFC 9113 6.9.2), and the default of a stream's. */
    public static final int MIN_WINDOW_SIZE = 65_535;
    public static final int DEFAULT_CONNECTION_WINDOW_SIZE = 1024 * 1024;
    public static final int DEFAULT_MAX_RESETS = 200;
    public static final Duration DEFAULT_RESET_WINDOW = Duration.ofSeconds(30);

    /** The defaults: the header list may be as large as the listener's {@code limits.max-header-size}. */
    public static Http2 defaults(Limits limits) {
      return new Http2(DEFAULT_MAX_CONCURRENT_STREAMS, limits.maxHeaderSize(), MIN_WINDOW_SIZE,
          DEFAULT_CONNECTION_WINDOW_SIZE, DEFAULT_MAX_RESETS, DEFAULT_RESET_WINDOW);
    }
  }

  /**
   * HTTP/3 (YAML {@code http3}) on a TLS listener: QUIC on a UDP port, advertised by {@code Alt-Svc} on the TCP
   * listener's answers. Requests take the same path as HTTP/1.1 and HTTP/2 ones, one per stream.
   *
   * @param port              the UDP port; 0: the TCP listener's (bound) port number
   * @param maxConnections    QUIC connections open at once; a new one beyond is refused (CONNECTION_REFUSED)
   * @param maxStreams        request streams a client may have open at once on one connection (MAX_STREAMS)
   * @param idleTimeout       a connection with no packet either way for this long is closed (max_idle_timeout)
   * @param retry             when a new connection's address is validated with a Retry first
   * @param retryThreshold    with {@code retry: auto}, handshakes in progress above which new connections get a Retry
   * @param earlyData         0-RTT: requests in the first flight, safe methods only, marked {@code Early-Data: 1}
   * @param altSvcMaxAge      how long clients may remember the {@code Alt-Svc} advertisement ({@code ma})
   * @param connectionWindow  what a client may send on a connection before the server extends it (initial_max_data)
   * @param streamWindow      what a client may send on one stream before it is extended
   */
  public record Http3(int port, int maxConnections, int maxStreams, Duration idleTimeout, Retry retry,
      int retryThreshold, boolean earlyData, Duration altSvcMaxAge, long connectionWindow, long streamWindow) {
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_MAX_STREAMS = 100;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRY_THRESHOLD = 100;
    public static final Duration DEFAULT_ALT_SVC_MAX_AGE = Duration.ofHours(24);
    public static final long DEFAULT_CONNECTION_WINDOW = 16L * 1024 * 1024;
    public static final long DEFAULT_STREAM_WINDOW = 1024 * 1024;

    /** When a new connection is sent a Retry (address validation, RFC 9000 8.1.2) before it is accepted. */
    public enum Retry {
      /** Only while more than {@code retry-threshold} handshakes are in progress (a flood of Initials). */
      AUTO,
      /** Every new connection: one more round trip, no state before the client proved its address. */
      ALWAYS,
      /** Never: the amplification limit (3x what the client sent) alone protects against spoofed addresses. */
      NEVER
    }

    /** The defaults, on the listener's own port number. */
    public static Http3 defaults() {
      return new Http3(0, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_STREAMS, DEFAULT_IDLE_TIMEOUT, Retry.AUTO,
          DEFAULT_RETRY_THRESHOLD, false, DEFAULT_ALT_SVC_MAX_AGE, DEFAULT_CONNECTION_WINDOW, DEFAULT_STREAM_WINDOW);
    }

    /** The UDP port for a listener whose TCP socket is bound to {@code tcpPort}. */
    public int udpPort(int tcpPort) {
      return port == 0 ? tcpPort : port;
    }
  }
}
