package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Reads the top level of a configuration tree and checks what spans several sections. */
final class ConfigReader {
  private ConfigReader() {}

  static TandemConfig read(JsonNode root, Path source, String nodeId, Problems problems) {
    return read(root, source, nodeId, problems, System::getenv);
  }

  /** @param env the environment the cluster section's {@code ${NAME}} reads (null: not set) */
  static TandemConfig read(JsonNode root, Path source, String nodeId, Problems problems, UnaryOperator<String> env) {
    // Certificate files named relative to the configuration file's directory (the working directory for text).
    Path base = source == null || source.getParent() == null ? Path.of("") : source.getParent();
    if (root != null && !root.isObject() && !root.isNull() && !root.isMissingNode()) {
      problems.add("", "the top level must be a mapping with listeners and pools, got " + Scalars.describe(root));
      root = null;
    }
    YamlMap top = YamlMap.open(root, "", problems, "node", "access-log", "listeners", "pools", "cluster", "nodes",
        "admin", "vips", "dns");

    YamlMap node = top.map("node", "event-loops", "drain-timeout", "transport");
    NodeSettings nodeSettings = new NodeSettings(
        node.integer("event-loops", NodeSettings.DEFAULTS.eventLoops(), 0, Integer.MAX_VALUE),
        node.duration("drain-timeout", NodeSettings.DEFAULTS.drainTimeout()),
        node.choice("transport", NodeSettings.Transport.class, NodeSettings.DEFAULTS.transport()));
    AccessLogConfig accessLog =
        new AccessLogConfig(top.map("access-log", "enabled").bool("enabled", AccessLogConfig.DEFAULTS.enabled()));

    DnsConfig dns = DnsReader.read(top);
    // Listeners refer to pools by name, so collect the names first; then read both sections in the order of the
    // file, so that errors are listed in that order too.
    PoolNames names = PoolNames.in(root == null ? null : root.get("pools"));
    List<PoolConfig> pools;
    List<Binds.Bind> binds = new ArrayList<>();
    List<ListenerConfig> listeners;
    if (comesFirst(root, "listeners", "pools")) {
      listeners = listeners(top, names, binds, base);
      pools = pools(top, base, dns);
    } else {
      pools = pools(top, base, dns);
      listeners = listeners(top, names, binds, base);
    }
    List<String> listenerNames = Names.in(root == null ? null : root.get("listeners"), "name");
    ClusterReader.Result cluster = ClusterReader.read(top, listenerNames, nodeId, env);
    listeners = bindsOfThisNode(listeners, binds, cluster);
    TcpPoolRules.check(listeners, pools, root == null ? null : root.get("pools"), problems);
    AdminConfig admin = AdminReader.read(top, cluster.cluster(), binds);
    Binds.check(binds, problems);
    List<String> nodeIds = top.has("nodes") ? Names.in(root.get("nodes"), "id") : List.of(TandemConfig.LOCAL_NODE);
    VipConfig vips = VipReader.read(top, nodeIds);
    return new TandemConfig(source, nodeSettings, listeners, pools, accessLog, cluster.cluster(), admin, vips,
        dns);
  }

  /**
   * Replaces the {@code bind} of each listener that this node overrides (in {@code nodes[i].listeners}), in the
   * listeners and in {@code binds}, and adds the node's own addresses to {@code binds}.
   */
  private static List<ListenerConfig> bindsOfThisNode(List<ListenerConfig> listeners, List<Binds.Bind> binds,
      ClusterReader.Result cluster) {
    List<ListenerConfig> result = new ArrayList<>();
    for (ListenerConfig l : listeners) {
      Binds.Bind override = cluster.listenerBinds().get(l.name());
      if (override == null) {
        result.add(l);
        continue;
      }
      Scalars.HostPort address = override.address();
      result.add(l.withBind(address.host(), address.port()));
      binds.replaceAll(bind -> bind.label().equals(override.label()) ? override : bind);
    }
    binds.addAll(cluster.nodeBinds());
    return result;
  }
  private static boolean comesFirst(JsonNode root, String a, String b) {
    if (root == null) {
      return false;
    }
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    return keys.contains(a) && (!keys.contains(b) || keys.indexOf(a) < keys.indexOf(b));
  }

  private static List<PoolConfig> pools(YamlMap top, Path base, DnsConfig dns) {
    Map<String, Integer> seen = new HashMap<>();
    int[] index = {0};
    List<PoolConfig> pools = new ArrayList<>();
    top.maps("pools", pool -> {
      int position = index[0]++;
      PoolConfig config = PoolReader.read(pool, base, dns);
      if (config.name() != null) {
        Integer first = seen.putIfAbsent(config.name(), position);
        if (first != null) {
          pool.error("name", "duplicate pool name \"" + config.name() + "\", also used by pools[" + first + "]");
        } else {
          pools.add(config);
        }
      }
      return config;
    }, "name", "algorithm", "hash-key", "connection-pool-size", "backends", "health", "queue", "persistence",
        "retries", "timeouts", "proxy-protocol", "tls", "slow-start", "circuit-breaker", "retry-budget",
        "host-header", "protocol", "http2", "discover");
    if (index[0] == 0) {
      top.error("pools", "at least one pool is required");
    }
    return pools;
  }

  private static List<ListenerConfig> listeners(YamlMap top, PoolNames pools, List<Binds.Bind> binds, Path base) {
    Map<String, Integer> seen = new HashMap<>();
    int[] index = {0};
    List<ListenerConfig> listeners = top.maps("listeners", listener -> {
      int position = index[0]++;
      ListenerConfig config = ListenerReader.read(listener, pools, base);
      if (config == null) {
        return null;
      }
      Integer first = seen.putIfAbsent(config.name(), position);
      if (first != null) {
        listener.error("name", "duplicate listener name \"" + config.name() + "\", also used by listeners[" + first
            + "]");
      }
      binds.add(new Binds.Bind(listener.path("bind"), "listener \"" + config.name() + "\"",
          new Scalars.HostPort(config.host(), config.port())));
      return config;
    }, "name", "bind", "protocol", "default-pool", "max-connections", "trust-forwarded", "timeouts", "limits",
        "routes", "pool", "proxy-protocol", "tls", "redirect-to-https", "max-connections-per-client",
        "rate-limits", "actions", "error-pages", "client-address", "h2c", "http2", "http3");
    if (index[0] == 0) {
      top.error("listeners", "at least one listener is required");
    }
    return listeners;
  }
}
