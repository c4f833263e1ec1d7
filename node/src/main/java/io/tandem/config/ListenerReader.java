package io.tandem.config;

import java.util.List;

/** Reads one entry of {@code listeners}. */
final class ListenerReader {
  static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  private ListenerReader() {}

  /** Returns the listener, or null when its name or bind address is missing or invalid (already reported). */
  static ListenerConfig read(YamlMap listener, PoolNames pools, java.nio.file.Path base) {
    String name = listener.required("name", Scalars::text);
    Scalars.HostPort bind = listener.required("bind", node -> Scalars.hostPort(node, 0));
    Protocol protocol = listener.choice("protocol", Protocol.class, Protocol.HTTP);
    boolean tcp = protocol == Protocol.TCP;
    String defaultPool = defaultPool(listener, pools, tcp ? "pool" : "default-pool");
    List<RouteConfig> routes = tcp ? List.of() : RouteReader.read(listener, pools, base);
    List<ActionConfig> actions = tcp ? List.of() : ActionReader.read(listener, null, base);
    java.util.Map<Integer, ErrorPage> errorPages = tcp ? java.util.Map.of() : ActionReader.errorPages(listener, base);
    int maxConnections = listener.integer("max-connections", DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE);
    boolean trustForwarded = listener.bool("trust-forwarded", false);
    int maxPerClient = listener.integer("max-connections-per-client", 0, 0, Integer.MAX_VALUE);
    List<RateLimitConfig> rateLimits = RateLimitReader.read(listener, pools, tcp);

    YamlMap timeouts = listener.map("timeouts", "request-header", "request-body", "idle");
    ListenerConfig.Timeouts t = ListenerConfig.Timeouts.DEFAULTS;
    ListenerConfig.Timeouts timeoutsConfig = new ListenerConfig.Timeouts(
        timeouts.duration("request-header", t.requestHeader()),
        timeouts.duration("request-body", t.requestBody()),
        timeouts.duration("idle", t.idle()));
    TcpListenerReader.refuseOtherProtocolKeys(listener, timeouts, protocol);
    ProxyProtocolAccept proxyProtocol = TcpListenerReader.accept(listener);

    YamlMap limits =
        listener.map("limits", "max-uri-length", "max-header-size", "max-body-size", "max-header-count",
            "underscores-in-headers");
    ListenerConfig.Limits l = ListenerConfig.Limits.DEFAULTS;
    ListenerConfig.Limits limitsConfig = new ListenerConfig.Limits(
        (int) limits.size("max-uri-length", l.maxUriLength(), 1, Integer.MAX_VALUE),
        (int) limits.size("max-header-size", l.maxHeaderSize(), 1, Integer.MAX_VALUE),
        limits.size("max-body-size", l.maxBodySize(), 0, Long.MAX_VALUE),
        limits.integer("max-header-count", l.maxHeaderCount(), 1, Integer.MAX_VALUE),
        limits.bool("underscores-in-headers", l.underscoresInHeaders()));

    TlsConfig tls = TlsReader.listener(listener, base);
    int redirect = listener.has("redirect-to-https") ? listener.integer("redirect-to-https", 443, 1, 65535) : 0;
    if (tls != null && proxyProtocol.accept()) {
      listener.error("proxy-protocol", "cannot be accepted on a listener with tls (the PROXY header would come before"
          + " the TLS handshake); terminate TLS on the outer balancer, or send no PROXY header to this listener");
    }
    if (tls != null && redirect != 0) {
      listener.error("redirect-to-https", "applies to plain HTTP listeners only; this listener has tls");
    }
    if (tls == null) {
      routes.stream().filter(r -> !r.match().sni().isEmpty()).findFirst().ifPresent(r -> listener.error("routes",
          "match.sni needs a listener with tls (route to pool \"" + r.pool() + "\")"));
    }
    boolean h2c = !tcp && Http2Reader.h2c(listener, tls, proxyProtocol);
    ListenerConfig.Http2 http2 = tcp ? null
        : Http2Reader.read(listener, ListenerConfig.speaksHttp2(h2c, tls), limitsConfig);
    ListenerConfig.Http3 http3 = tcp ? null : Http3Reader.read(listener, tls);
    if (name == null || bind == null) {
      return null;
    }
    return new ListenerConfig(name, bind.host(), bind.port(), protocol, defaultPool, routes, maxConnections,
        timeoutsConfig, limitsConfig, trustForwarded, proxyProtocol, tls, redirect, maxPerClient, rateLimits,
        actions, errorPages, clientAddress(listener), h2c, http2, http3);
  }

  /** {@code client-address: {header: X-Forwarded-For, trusted: [10.0.0.0/8]}}, or null when absent. */
  private static ClientAddressConfig clientAddress(YamlMap listener) {
    if (!listener.has("client-address")) {
      return null;
    }
    YamlMap c = listener.map("client-address", "header", "trusted");
    String header = c.value("header", "X-Forwarded-For", Scalars::headerName);
    List<Cidr> trusted = c.scalars("trusted", n -> Cidr.parse(Scalars.text(n)));
    if (!c.has("trusted")) {
      c.error("trusted", "is required: the proxies (addresses or networks such as 10.0.0.0/8) allowed to name the "
          + "client; a header from anyone else is ignored");
    }
    return new ClientAddressConfig(header, trusted);
  }

  /** The default pool (key {@code default-pool}, or {@code pool} on tcp): as given, or the only pool if just one. */
  private static String defaultPool(YamlMap listener, PoolNames pools, String key) {
    if (listener.has(key)) {
      String pool = listener.string(key, null);
      if (pool != null) {
        pools.check(listener, key, pool);
      }
      return pool;
    }
    if (pools.names().size() == 1) {
      return pools.names().get(0);
    }
    if (pools.names().size() > 1) {
      listener.error(key, "is required when several pools are defined; defined pools: "
          + String.join(", ", pools.names()));
    }
    return null;
  }
}
