package io.tandem.config;

import java.util.List;

/** Reads one entry of {@code listeners}. */
final class ListenerReader {
  static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  private ListenerReader() {}

  /** Returns the listener, or null when its name or bind address is missing or invalid (already reported). */
  static ListenerConfig read(YamlMap listener, PoolNames pools) {
    String name = listener.required("name", Scalars::text);
    Scalars.HostPort bind = listener.required("bind", node -> Scalars.hostPort(node, 0));
    Protocol protocol = listener.choice("protocol", Protocol.class, Protocol.HTTP);
    String defaultPool = defaultPool(listener, pools);
    List<RouteConfig> routes = RouteReader.read(listener, pools);
    int maxConnections = listener.integer("max-connections", DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE);
    boolean trustForwarded = listener.bool("trust-forwarded", false);
    int maxPerClient = listener.integer("max-connections-per-client", 0, 0, Integer.MAX_VALUE);
    List<RateLimitConfig> rateLimits = RateLimitReader.read(listener, pools);

    YamlMap timeouts = listener.map("timeouts", "request-header", "request-body", "idle");
    ListenerConfig.Timeouts t = ListenerConfig.Timeouts.DEFAULTS;
    ListenerConfig.Timeouts timeoutsConfig = new ListenerConfig.Timeouts(
        timeouts.duration("request-header", t.requestHeader()),
        timeouts.duration("request-body", t.requestBody()),
        timeouts.duration("idle", t.idle()));

    YamlMap limits =
        listener.map("limits", "max-uri-length", "max-header-size", "max-body-size", "max-header-count");
    ListenerConfig.Limits l = ListenerConfig.Limits.DEFAULTS;
    ListenerConfig.Limits limitsConfig = new ListenerConfig.Limits(
        (int) limits.size("max-uri-length", l.maxUriLength(), 1, Integer.MAX_VALUE),
        (int) limits.size("max-header-size", l.maxHeaderSize(), 1, Integer.MAX_VALUE),
        limits.size("max-body-size", l.maxBodySize(), 0, Long.MAX_VALUE),
        limits.integer("max-header-count", l.maxHeaderCount(), 1, Integer.MAX_VALUE));

    if (name == null || bind == null) {
      return null;
    }
    return new ListenerConfig(name, bind.host(), bind.port(), protocol, defaultPool, routes, maxConnections,
        timeoutsConfig, limitsConfig, trustForwarded, maxPerClient, rateLimits);
  }

  /** The default pool: as given, or the only pool when there is just one. */
  private static String defaultPool(YamlMap listener, PoolNames pools) {
    if (listener.has("default-pool")) {
      String pool = listener.string("default-pool", null);
      if (pool != null) {
        pools.check(listener, "default-pool", pool);
      }
      return pool;
    }
    if (pools.names().size() == 1) {
      return pools.names().get(0);
    }
    if (pools.names().size() > 1) {
      listener.error("default-pool", "is required when several pools are defined; defined pools: "
          + String.join(", ", pools.names()));
    }
    return null;
  }
}
