package io.tandem.config;

import java.time.Duration;
import java.util.List;

/**
 * A backend pool (YAML list {@code pools}).
 *
 * @param name        unique name
 * @param algorithm   load-balancing algorithm
 * @param hashKey     key for {@link Algorithm#CONSISTENT_HASH}, else null
 * @param backends    the servers: at least one, unless the pool discovers its backends
 * @param health      health checking
 * @param queue       what happens when every candidate backend is at its maxConnections
 * @param persistence session persistence
 * @param retries     retry policy
 * @param timeouts    backend-side timeouts
 * @param connectionPoolSize maximum pooled HTTP/1.1 connections per backend
 * @param proxyProtocol PROXY protocol header sent to the backends by {@code tcp} listeners
 * @param tls         TLS to the backends (re-encryption), or null for plain HTTP
 * @param slowStart   a backend that comes back or is added gets a linearly growing share over this long; null: none
 * @param circuitBreaker answers 503 at once while the pool fails; null: none
 * @param retryBudget at most this share of the pool's requests in flight may be retries
 * @param hostHeader  the {@code Host} requests to this pool carry instead of the client's (a route's
 *                    {@code set-host} wins), or null to keep the client's
 * @param protocol    what the backends speak: HTTP/1.1, or HTTP/2 over TLS or in clear text
 * @param http2       the HTTP/2 connections' settings (used when {@code protocol} is HTTP/2)
 * @param discover    DNS names whose records are further backends (see {@link DiscoverConfig}); empty: none
 */
public record PoolConfig(
    String name,
    Algorithm algorithm,
    HashKey hashKey,
    List<BackendConfig> backends,
    HealthConfig health,
    Queue queue,
    PersistenceConfig persistence,
    Retries retries,
    Timeouts timeouts,
    int connectionPoolSize,
    ProxyProtocolVersion proxyProtocol,
    BackendTlsConfig tls,
    Duration slowStart,
    CircuitBreaker circuitBreaker,
    RetryBudget retryBudget,
    String hostHeader,
    BackendProtocol protocol,
    Http2 http2,
    List<DiscoverConfig> discover) {

  /** A pool without discovered backends. */
  public PoolConfig(String name, Algorithm algorithm, HashKey hashKey, List<BackendConfig> backends,
      HealthConfig health, Queue queue, PersistenceConfig persistence, Retries retries, Timeouts timeouts,
      int connectionPoolSize, ProxyProtocolVersion proxyProtocol, BackendTlsConfig tls, Duration slowStart,
      CircuitBreaker circuitBreaker, RetryBudget retryBudget, String hostHeader, BackendProtocol protocol,
      Http2 http2) {
    this(name, algorithm, hashKey, backends, health, queue, persistence, retries, timeouts, connectionPoolSize,
        proxyProtocol, tls, slowStart, circuitBreaker, retryBudget, hostHeader, protocol, http2, List.of());
  }

  /** A pool that speaks HTTP/1.1 to its backends. */
  public PoolConfig(String name, Algorithm algorithm, HashKey hashKey, List<BackendConfig> backends,
      HealthConfig health, Queue queue, PersistenceConfig persistence, Retries retries, Timeouts timeouts,
      int connectionPoolSize, ProxyProtocolVersion proxyProtocol, BackendTlsConfig tls, Duration slowStart,
      CircuitBreaker circuitBreaker, RetryBudget retryBudget, String hostHeader) {
    this(name, algorithm, hashKey, backends, health, queue, persistence, retries, timeouts, connectionPoolSize,
        proxyProtocol, tls, slowStart, circuitBreaker, retryBudget, hostHeader, BackendProtocol.HTTP1, Http2.DEFAULTS);
  }

  /** A pool that keeps the client's Host. */
  public PoolConfig(String name, Algorithm algorithm, HashKey hashKey, List<BackendConfig> backends,
      HealthConfig health, Queue queue, PersistenceConfig persistence, Retries retries, Timeouts timeouts,
      int connectionPoolSize, ProxyProtocolVersion proxyProtocol, BackendTlsConfig tls, Duration slowStart,
      CircuitBreaker circuitBreaker, RetryBudget retryBudget) {
    this(name, algorithm, hashKey, backends, health, queue, persistence, retries, timeouts, connectionPoolSize,
        proxyProtocol, tls, slowStart, circuitBreaker, retryBudget, null);
  }

  public PoolConfig {
    backends = List.copyOf(backends);
    proxyProtocol = proxyProtocol == null ? ProxyProtocolVersion.NONE : proxyProtocol;
    protocol = protocol == null ? BackendProtocol.HTTP1 : protocol;
    http2 = http2 == null ? Http2.DEFAULTS : http2;
    discover = discover == null ? List.of() : List.copyOf(discover);
  }

  /** A pool of plain backends without PROXY protocol, slow start or circuit breaker, default retry budget. */
  public PoolConfig(String name, Algorithm algorithm, HashKey hashKey, List<BackendConfig> backends,
      HealthConfig health, Queue queue, PersistenceConfig persistence, Retries retries, Timeouts timeouts,
      int connectionPoolSize) {
    this(name, algorithm, hashKey, backends, health, queue, persistence, retries, timeouts, connectionPoolSize,
        ProxyProtocolVersion.NONE, null, null, null, RetryBudget.DEFAULTS);
  }

  /** A pool of plain backends (a tcp listener may send them PROXY protocol headers). */
  public PoolConfig(String name, Algorithm algorithm, HashKey hashKey, List<BackendConfig> backends,
      HealthConfig health, Queue queue, PersistenceConfig persistence, Retries retries, Timeouts timeouts,
      int connectionPoolSize, ProxyProtocolVersion proxyProtocol) {
    this(name, algorithm, hashKey, backends, health, queue, persistence, retries, timeouts, connectionPoolSize,
        proxyProtocol, null, null, null, RetryBudget.DEFAULTS);
  }

  /** A pool with TLS to its backends. */
  public PoolConfig(String name, Algorithm algorithm, HashKey hashKey, List<BackendConfig> backends,
      HealthConfig health, Queue queue, PersistenceConfig persistence, Retries retries, Timeouts timeouts,
      int connectionPoolSize, BackendTlsConfig tls) {
    this(name, algorithm, hashKey, backends, health, queue, persistence, retries, timeouts, connectionPoolSize,
        ProxyProtocolVersion.NONE, tls, null, null, RetryBudget.DEFAULTS);
  }

  /** A pool of plain backends with overload settings. */
  public PoolConfig(String name, Algorithm algorithm, HashKey hashKey, List<BackendConfig> backends,
      HealthConfig health, Queue queue, PersistenceConfig persistence, Retries retries, Timeouts timeouts,
      int connectionPoolSize, Duration slowStart, CircuitBreaker circuitBreaker, RetryBudget retryBudget) {
    this(name, algorithm, hashKey, backends, health, queue, persistence, retries, timeouts, connectionPoolSize,
        ProxyProtocolVersion.NONE, null, slowStart, circuitBreaker, retryBudget);
  }

  /** This pool with other backends (runtime adds and removes); every other setting is kept. */
  public PoolConfig withBackends(List<BackendConfig> others) {
    return new PoolConfig(name, algorithm, hashKey, others, health, queue, persistence, retries, timeouts,
        connectionPoolSize, proxyProtocol, tls, slowStart, circuitBreaker, retryBudget, hostHeader, protocol, http2,
        discover);
  }

  /**
   * How an HTTP/2 pool's connections are kept. Per backend and per event loop at most {@code maxConnections} are open,
   * each carrying as many streams as the backend's {@code SETTINGS_MAX_CONCURRENT_STREAMS} allows; a request that
   * finds them all full waits for a stream. A connection with streams open that has heard nothing from the backend
   * for {@code pingInterval} is sent a PING, and closed (its streams failed) when the PING goes unanswered for
   * {@code pingTimeout}: a dead peer behind a silent network is found without waiting for TCP or for each call's
   * time-out. The default interval, 5 minutes, is the most frequent PING grpc-java servers accept by default
   * ({@code permitKeepAliveTime}); more frequent PINGs get a GOAWAY {@code too_many_pings} from them.
   *
   * @param maxConnections connections per backend per event loop
   * @param pingInterval   silence (with streams open) after which a PING is sent; null: no PING
   * @param pingTimeout    an unanswered PING closes the connection after this long
   */
  public record Http2(int maxConnections, Duration pingInterval, Duration pingTimeout) {
    public static final Http2 DEFAULTS = new Http2(4, Duration.ofMinutes(5), Duration.ofSeconds(20));
  }

  /**
   * @param consecutiveFailures failed requests in a row (connect failures, resets, timeouts, 5xx) that open it
   * @param openTime            how long it stays open before one trial request may pass (half-open)
   */
  public record CircuitBreaker(int consecutiveFailures, Duration openTime) {
    public static final CircuitBreaker DEFAULTS = new CircuitBreaker(20, Duration.ofSeconds(5));
  }

  /**
   * Retries allowed at once: {@code percent} of the pool's requests in flight, but at least {@code minRetries}
   * (Envoy's retry budget).
   */
  public record RetryBudget(int percent, int minRetries) {
    public static final RetryBudget DEFAULTS = new RetryBudget(20, 3);
  }

  /**
   * @param maxSize requests that may wait for a free backend; 0 answers 503 at once
   * @param timeout a request that waited this long gets 503
   */
  public record Queue(int maxSize, Duration timeout) {
    public static final Queue DEFAULTS = new Queue(1024, Duration.ofSeconds(5));
  }

  /**
   * @param connectAttempts  backends tried when a connection cannot be made (1 means no retry)
   * @param retryIdempotent  retry GET/HEAD/OPTIONS/PUT/DELETE/TRACE on another backend when the request was sent but
   *                         the connection failed before any response byte, and no request body was streamed yet
   */
  public record Retries(int connectAttempts, boolean retryIdempotent) {
    public static final Retries DEFAULTS = new Retries(3, false);
  }

  /**
   * @param connect   TCP connect to a backend (502 and retry beyond)
   * @param response  from sending the request until the response head arrives (504 beyond)
   * @param idle      a pooled backend connection unused this long is closed
   */
  public record Timeouts(Duration connect, Duration response, Duration idle) {
    public static final Timeouts DEFAULTS =
        new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60));
  }
}
