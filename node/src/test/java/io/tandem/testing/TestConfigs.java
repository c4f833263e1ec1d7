package io.tandem.testing;

import io.tandem.config.AccessLogConfig;
import io.tandem.config.Algorithm;
import io.tandem.config.BackendConfig;
import io.tandem.config.Cidr;
import io.tandem.config.BackendTlsConfig;
import io.tandem.config.HashKey;
import io.tandem.config.HealthConfig;
import io.tandem.config.ListenerConfig;
import io.tandem.config.NodeSettings;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.Protocol;
import io.tandem.config.ProxyProtocolAccept;
import io.tandem.config.ProxyProtocolVersion;
import io.tandem.config.RouteConfig;
import io.tandem.config.TandemConfig;
import io.tandem.config.TlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds configurations in code for tests, with the same defaults as the YAML loader. */
public final class TestConfigs {
  private TestConfigs() {}

  public static ListenerBuilder listener(String name) {
    return new ListenerBuilder(name);
  }

  public static PoolBuilder pool(String name) {
    return new PoolBuilder(name);
  }

  /** Node settings for a test node. */
  public static NodeSettings nodeSettings(int eventLoops, Duration drain) {
    return new NodeSettings(eventLoops, drain);
  }

  public static TandemConfig config(int eventLoops, ListenerBuilder listener, PoolBuilder... pools) {
    return config(nodeSettings(eventLoops, Duration.ofSeconds(5)), listener, pools);
  }

  /** The same with node settings of its own (a transport, say). */
  public static TandemConfig config(NodeSettings node, ListenerBuilder listener, PoolBuilder... pools) {
    List<PoolConfig> ps = new ArrayList<>();
    for (PoolBuilder p : pools) {
      ps.add(p.build());
    }
    return new TandemConfig(null, node, List.of(listener.build()), ps, new AccessLogConfig(false));
  }

  /** Fluent listener configuration on 127.0.0.1 port 0. */
  public static final class ListenerBuilder {
    private final String name;
    private String defaultPool = "app";
    private final List<RouteConfig> routes = new ArrayList<>();
    private int maxConnections = 10_000;
    private ListenerConfig.Timeouts timeouts = ListenerConfig.Timeouts.DEFAULTS;
    private ListenerConfig.Limits limits = ListenerConfig.Limits.DEFAULTS;
    private boolean trustForwarded;
    private Protocol protocol = Protocol.HTTP;
    private ProxyProtocolAccept proxyProtocol = ProxyProtocolAccept.OFF;
    private TlsConfig tls;
    private int redirectToHttps;
    private int maxConnectionsPerClient;
    private final List<io.tandem.config.RateLimitConfig> rateLimits = new ArrayList<>();
    private boolean h2c;
    private ListenerConfig.Http2 http2;
    private ListenerConfig.Http3 http3;

    ListenerBuilder(String name) {
      this.name = name;
    }

    public ListenerBuilder defaultPool(String pool) {
      this.defaultPool = pool;
      return this;
    }

    public ListenerBuilder route(RouteConfig.Match match, String pool) {
      routes.add(new RouteConfig(null, match, pool));
      return this;
    }

    /** A route as given (split, mirror, actions, ...). */
    public ListenerBuilder route(RouteConfig route) {
      routes.add(route);
      return this;
    }

    public ListenerBuilder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    public ListenerBuilder timeouts(Duration header, Duration body, Duration idle) {
      this.timeouts = new ListenerConfig.Timeouts(header, body, idle);
      return this;
    }

    public ListenerBuilder limits(int uri, int headers, long body) {
      this.limits = new ListenerConfig.Limits(uri, headers, body);
      return this;
    }

    public ListenerBuilder maxHeaderCount(int n) {
      this.limits = new ListenerConfig.Limits(limits.maxUriLength(), limits.maxHeaderSize(), limits.maxBodySize(), n,
          limits.underscoresInHeaders());
      return this;
    }

    public ListenerBuilder underscoresInHeaders(boolean forward) {
      this.limits = new ListenerConfig.Limits(limits.maxUriLength(), limits.maxHeaderSize(), limits.maxBodySize(),
          limits.maxHeaderCount(), forward);
      return this;
    }

    public ListenerBuilder maxConnectionsPerClient(int n) {
      this.maxConnectionsPerClient = n;
      return this;
    }

    public ListenerBuilder rateLimit(io.tandem.config.RateLimitConfig rule) {
      rateLimits.add(rule);
      return this;
    }

    public ListenerBuilder trustForwarded(boolean trust) {
      this.trustForwarded = trust;
      return this;
    }

    /** A {@code tcp} listener (its pool is the default pool). */
    public ListenerBuilder tcp() {
      this.protocol = Protocol.TCP;
      return this;
    }

    /** Accept PROXY headers from {@code trusted} (CIDRs), within {@code timeout}. */
    public ListenerBuilder acceptProxyProtocol(Duration timeout, String... trusted) {
      this.proxyProtocol = new ProxyProtocolAccept(true, java.util.Arrays.stream(trusted).map(Cidr::parse).toList(),
          timeout);
      return this;
    }

    public ListenerBuilder tls(TlsConfig tls) {
      this.tls = tls;
      return this;
    }

    public ListenerBuilder redirectToHttps(int port) {
      this.redirectToHttps = port;
      return this;
    }

    /** Also HTTP/2 with prior knowledge on this plain listener. */
    public ListenerBuilder h2c() {
      this.h2c = true;
      return this;
    }

    /** The HTTP/2 front's guards (default: {@link ListenerConfig.Http2#defaults}). */
    public ListenerBuilder http2(ListenerConfig.Http2 http2) {
      this.http2 = http2;
      return this;
    }

    /** HTTP/3 beside the TLS listener (on its port number unless {@code h3.port()} names another). */
    public ListenerBuilder http3(ListenerConfig.Http3 h3) {
      this.http3 = h3;
      return this;
    }

    public ListenerConfig build() {
      return new ListenerConfig(name, "127.0.0.1", 0, protocol, defaultPool, routes, maxConnections, timeouts,
          limits, trustForwarded, proxyProtocol, tls, redirectToHttps, maxConnectionsPerClient, rateLimits,
          List.of(), java.util.Map.of(), null, h2c, http2, http3);
    }
  }

  /** Fluent pool configuration. */
  public static final class PoolBuilder {
    private final String name;
    private Algorithm algorithm = Algorithm.ROUND_ROBIN;
    private HashKey hashKey;
    private final List<BackendConfig> backends = new ArrayList<>();
    private HealthConfig health = new HealthConfig(null, null);
    private PoolConfig.Queue queue = PoolConfig.Queue.DEFAULTS;
    private PersistenceConfig persistence = PersistenceConfig.NONE;
    private PoolConfig.Retries retries = PoolConfig.Retries.DEFAULTS;
    private PoolConfig.Timeouts timeouts = PoolConfig.Timeouts.DEFAULTS;
    private ProxyProtocolVersion proxyProtocol = ProxyProtocolVersion.NONE;
    private BackendTlsConfig tls;
    private Duration slowStart;
    private io.tandem.config.BackendProtocol protocol = io.tandem.config.BackendProtocol.HTTP1;
    private PoolConfig.Http2 http2 = PoolConfig.Http2.DEFAULTS;

    PoolBuilder(String name) {
      this.name = name;
    }

    public PoolBuilder algorithm(Algorithm a) {
      this.algorithm = a;
      return this;
    }

    public PoolBuilder hashKey(HashKey key) {
      this.hashKey = key;
      return this;
    }

    public PoolBuilder backend(String id, int port) {
      return backend(id, port, 1, 0);
    }

    public PoolBuilder backend(String id, int port, int weight, int maxConnections) {
      backends.add(new BackendConfig(id, "127.0.0.1", port, weight, maxConnections));
      return this;
    }

    /** A backend that comes back (or is added) gets a share growing linearly to its full share over {@code window}. */
    public PoolBuilder slowStart(Duration window) {
      this.slowStart = window;
      return this;
    }

    public PoolBuilder health(HealthConfig health) {
      this.health = health;
      return this;
    }

    public PoolBuilder queue(int size, Duration timeout) {
      this.queue = new PoolConfig.Queue(size, timeout);
      return this;
    }

    public PoolBuilder persistence(PersistenceConfig p) {
      this.persistence = p;
      return this;
    }

    public PoolBuilder retries(int attempts, boolean idempotent) {
      this.retries = new PoolConfig.Retries(attempts, idempotent);
      return this;
    }

    public PoolBuilder timeouts(Duration connect, Duration response, Duration idle) {
      this.timeouts = new PoolConfig.Timeouts(connect, response, idle);
      return this;
    }

    /** The PROXY protocol header tcp listeners send to this pool's backends. */
    public PoolBuilder proxyProtocol(ProxyProtocolVersion version) {
      this.proxyProtocol = version;
      return this;
    }

    public PoolBuilder tls(BackendTlsConfig tls) {
      this.tls = tls;
      return this;
    }

    /** What the backends speak (HTTP/1.1 unless said). */
    public PoolBuilder protocol(io.tandem.config.BackendProtocol protocol) {
      this.protocol = protocol;
      return this;
    }

    public PoolBuilder http2(PoolConfig.Http2 http2) {
      this.http2 = http2;
      return this;
    }

    public PoolConfig build() {
      return new PoolConfig(name, algorithm, hashKey, backends, health, queue, persistence, retries, timeouts, 64,
          proxyProtocol, tls, slowStart, null, PoolConfig.RetryBudget.DEFAULTS, null, protocol, http2);
    }
  }
}
