package io.tandem.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads one entry of {@code pools}. */
final class PoolReader {
  static final int DEFAULT_CONNECTION_POOL_SIZE = 256;

  private PoolReader() {}

  static PoolConfig read(YamlMap pool, java.nio.file.Path base, DnsConfig dns) {
    String name = pool.required("name", Scalars::identifier);
    Algorithm algorithm = pool.choice("algorithm", Algorithm.class, Algorithm.ROUND_ROBIN);
    HashKey hashKey = hashKey(pool, algorithm);
    int connectionPoolSize =
        pool.integer("connection-pool-size", DEFAULT_CONNECTION_POOL_SIZE, 1, Integer.MAX_VALUE);
    List<DiscoverConfig> discover = DnsReader.discover(pool, dns);
    List<BackendConfig> backends = backends(pool, pool.has("discover"));
    BackendTlsConfig tls = TlsReader.backend(pool, base);
    HealthConfig health = HealthReader.read(pool.map("health", "active", "passive"), tls);
    PersistenceConfig persistence =
        PersistenceReader.read(pool.map("persistence", "type", "cookie", "idle-timeout", "learn-cookie"));

    YamlMap queue = pool.map("queue", "max-size", "timeout");
    PoolConfig.Queue queueConfig = new PoolConfig.Queue(
        queue.integer("max-size", PoolConfig.Queue.DEFAULTS.maxSize(), 0, Integer.MAX_VALUE),
        queue.duration("timeout", PoolConfig.Queue.DEFAULTS.timeout()));

    YamlMap retries = pool.map("retries", "connect-attempts", "retry-idempotent");
    PoolConfig.Retries retriesConfig = new PoolConfig.Retries(
        retries.integer("connect-attempts", PoolConfig.Retries.DEFAULTS.connectAttempts(), 1, Integer.MAX_VALUE),
        retries.bool("retry-idempotent", PoolConfig.Retries.DEFAULTS.retryIdempotent()));

    YamlMap timeouts = pool.map("timeouts", "connect", "response", "idle");
    PoolConfig.Timeouts defaults = PoolConfig.Timeouts.DEFAULTS;
    PoolConfig.Timeouts timeoutsConfig = new PoolConfig.Timeouts(
        timeouts.duration("connect", defaults.connect()),
        timeouts.duration("response", defaults.response()),
        timeouts.duration("idle", defaults.idle()));

    Duration slowStart = pool.duration("slow-start", null);
    PoolConfig.CircuitBreaker breaker = null;
    if (pool.has("circuit-breaker")) {
      YamlMap cb = pool.map("circuit-breaker", "consecutive-failures", "open-time");
      PoolConfig.CircuitBreaker d = PoolConfig.CircuitBreaker.DEFAULTS;
      breaker = new PoolConfig.CircuitBreaker(cb.integer("consecutive-failures", d.consecutiveFailures(), 1,
          Integer.MAX_VALUE), cb.duration("open-time", d.openTime()));
    }
    YamlMap rb = pool.map("retry-budget", "percent", "min-retries");
    PoolConfig.RetryBudget budget = new PoolConfig.RetryBudget(
        rb.integer("percent", PoolConfig.RetryBudget.DEFAULTS.percent(), 0, 100),
        rb.integer("min-retries", PoolConfig.RetryBudget.DEFAULTS.minRetries(), 0, Integer.MAX_VALUE));

    ProxyProtocolVersion proxyProtocol =
        pool.choice("proxy-protocol", ProxyProtocolVersion.class, ProxyProtocolVersion.NONE);
    String hostHeader = pool.value("host-header", null, n -> {
      String h = Scalars.text(n);
      if (h.chars().anyMatch(c -> c <= ' ' || c >= 127 || c == '/' || c == '@')) {
        throw new IllegalArgumentException("must be a host name with an optional :port, got " + Scalars.describe(n));
      }
      return h;
    });
    BackendProtocol protocol = pool.choice("protocol", BackendProtocol.class, BackendProtocol.HTTP1);
    if (protocol == BackendProtocol.H2 && tls == null && !pool.has("tls")) {
      pool.error("protocol", "h2 is HTTP/2 over TLS and needs the pool's tls block; use h2c for HTTP/2 in clear text");
    } else if (protocol == BackendProtocol.H2C && pool.has("tls")) {
      pool.error("protocol", "h2c is HTTP/2 in clear text, but the pool has a tls block; use h2 for HTTP/2 over TLS");
    }
    PoolConfig.Http2 http2 = http2(pool, protocol);
    return new PoolConfig(name, algorithm, hashKey, backends, health, queueConfig, persistence, retriesConfig,
        timeoutsConfig, connectionPoolSize, proxyProtocol, tls, slowStart, breaker, budget, hostHeader, protocol,
        http2, discover);
  }

  private static PoolConfig.Http2 http2(YamlMap pool, BackendProtocol protocol) {
    if (!pool.has("http2")) {
      return PoolConfig.Http2.DEFAULTS;
    }
    if (!protocol.http2()) {
      pool.error("http2", "applies only to HTTP/2 backends (protocol: h2 or h2c); this pool speaks http1");
      return PoolConfig.Http2.DEFAULTS;
    }
    YamlMap h2 = pool.map("http2", "max-connections", "ping-interval", "ping-timeout");
    PoolConfig.Http2 d = PoolConfig.Http2.DEFAULTS;
    int max = h2.integer("max-connections", d.maxConnections(), 1, 1024);
    Duration interval = h2.value("ping-interval", d.pingInterval(),
        n -> n.isTextual() && n.textValue().equals("off") ? null : Scalars.duration(n));
    Duration timeout = h2.duration("ping-timeout", d.pingTimeout());
    return new PoolConfig.Http2(max, interval, timeout);
  }

  private static HashKey hashKey(YamlMap pool, Algorithm algorithm) {
    if (algorithm != Algorithm.CONSISTENT_HASH) {
      if (pool.has("hash-key")) {
        pool.error("hash-key", "applies only to algorithm consistent-hash; this pool uses "
            + Scalars.spelling(algorithm));
      }
      return null;
    }
    if (!pool.has("hash-key")) {
      pool.error("hash-key", "is required for algorithm consistent-hash: {header: NAME}, {cookie: NAME} or {path: true}");
      return null;
    }
    YamlMap key = pool.map("hash-key", "header", "cookie", "path");
    int given = (key.has("header") ? 1 : 0) + (key.has("cookie") ? 1 : 0) + (key.has("path") ? 1 : 0);
    if (given != 1) {
      pool.error("hash-key", "must set exactly one of header, cookie or path");
      return null;
    }
    if (key.has("header")) {
      String header = key.value("header", null, Scalars::headerName);
      return header == null ? null : new HashKey(HashKey.Source.HEADER, header);
    }
    if (key.has("cookie")) {
      String cookie = key.value("cookie", null, Scalars::cookieName);
      return cookie == null ? null : new HashKey(HashKey.Source.COOKIE, cookie);
    }
    if (!key.bool("path", false)) {
      key.error("path", "must be true to hash the request path; leave it out otherwise");
      return null;
    }
    return new HashKey(HashKey.Source.PATH, null);
  }

  private static List<BackendConfig> backends(YamlMap pool, boolean discovers) {
    Map<String, Integer> seen = new HashMap<>();
    int[] index = {0};
    List<BackendConfig> backends = pool.maps("backends", backend -> {
      int position = index[0]++;
      Scalars.HostPort address = backend.required("address", node -> Scalars.hostPort(node, 1));
      boolean ownId = backend.has("id");
      String id = backend.value("id", address == null ? null : address.toString(), Scalars::identifier);
      int weight = backend.integer("weight", 1, 1, 256);
      int maxConnections = backend.integer("max-connections", 0, 0, Integer.MAX_VALUE);
      if (id == null || address == null) {
        return null;
      }
      Integer first = seen.putIfAbsent(id, position);
      if (first != null) {
        backend.error(ownId ? "id" : "address", "duplicate backend id \"" + id + "\", also used by backends[" + first
            + "]" + (ownId ? "" : " (a backend without an id is known by its address)"));
      }
      return new BackendConfig(id, address.host(), address.port(), weight, maxConnections);
    }, "id", "address", "weight", "max-connections");
    if (index[0] == 0 && !discovers) {
      pool.error("backends", "at least one backend is required (or discover: entries that find them in DNS)");
    }
    return backends;
  }
}
