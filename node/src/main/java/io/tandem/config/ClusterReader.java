package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code cluster} and {@code nodes} sections. One file describes the whole cluster and {@code --node ID} picks
 * this process's entry; the nodes list is also the trusted member list (the only addresses a member joins and admits).
 */
final class ClusterReader {
  static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
  static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(5);
  static final String DEFAULT_STATE_FILE = "./tandem-{node}.state.json";

  private ClusterReader() {}

  /**
   * What the sections give the rest of the configuration.
   *
   * @param cluster       the cluster settings with this node's identity, or null for a standalone file (or on error)
   * @param listenerBinds this node's listener addresses that replace the listeners' {@code bind}, by listener name
   * @param nodeBinds     this node's cluster and admin addresses, for the conflict check with its listeners
   */
  record Result(ClusterConfig cluster, Map<String, Binds.Bind> listenerBinds, List<Binds.Bind> nodeBinds) {
    static final Result STANDALONE = new Result(null, Map.of(), List.of());
  }

  static Result read(YamlMap top, List<String> listenerNames, String nodeId) {
    boolean clustered = top.has("nodes");
    YamlMap settings = top.map("cluster", "name", "heartbeat", "failure-timeout", "min-members", "state-file",
        "quic-relay-port");
    String name = clustered ? settings.required("name", Scalars::text) : settings.string("name", null);
    Duration heartbeat = wholeSeconds(settings, "heartbeat", DEFAULT_HEARTBEAT);
    Duration failureTimeout = wholeSeconds(settings, "failure-timeout", DEFAULT_FAILURE_TIMEOUT);
    if (failureTimeout.compareTo(heartbeat) <= 0) {
      settings.error("failure-timeout", "must be longer than heartbeat (" + heartbeat.toSeconds() + "s), got "
          + failureTimeout.toSeconds() + "s");
    }
    String stateFile = settings.value("state-file", DEFAULT_STATE_FILE, ClusterReader::stateFile);
    int quicRelayPort = settings.integer("quic-relay-port", 0, 0, 65535);
    if (!clustered) {
      if (top.has("cluster")) {
        top.error("cluster", "needs a nodes: section");
      }
      if (settings.has("min-members")) {
        settings.integer("min-members", 1, 1, Integer.MAX_VALUE);
      }
      if (nodeId != null) {
        top.problems().add("", "--node " + nodeId + " given but the file defines no nodes");
      }
      return Result.STANDALONE;
    }

    Nodes nodes = new Nodes(listenerNames, nodeId);
    top.maps("nodes", nodes::read, "id", "cluster", "admin", "listeners");
    int count = nodes.count;
    if (count == 0) {
      top.error("nodes", "at least one node is required");
    }
    int minMembers = settings.integer("min-members", count / 2 + 1, 1, Math.max(count, 1));
    List<String> ids = nodes.entries.stream().map(ClusterConfig.NodeEntry::id).toList();
    if (ids.isEmpty()) {
      return Result.STANDALONE;
    }
    if (nodeId == null) {
      top.error("nodes", "this file defines nodes " + String.join(", ", ids) + "; choose one with --node");
      return Result.STANDALONE;
    }
    if (!ids.contains(nodeId)) {
      top.error("nodes", "--node " + nodeId + " is not defined; this file defines nodes " + String.join(", ", ids));
      return Result.STANDALONE;
    }
    ClusterConfig cluster = new ClusterConfig(name, nodeId, nodes.entries, heartbeat, failureTimeout, minMembers,
        Path.of(stateFile.replace("{node}", nodeId)), quicRelayPort);
    return new Result(cluster, nodes.listenerBinds, nodes.nodeBinds);
  }

  /** Reads the entries of {@code nodes}, keeping the chosen node's addresses. */
  private static final class Nodes {
    private final List<String> listenerNames;
    private final String nodeId;
    private final List<ClusterConfig.NodeEntry> entries = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, Integer> addresses = new HashMap<>();
    private final Map<String, Binds.Bind> listenerBinds = new LinkedHashMap<>();
    private final List<Binds.Bind> nodeBinds = new ArrayList<>();
    private int count;

    Nodes(List<String> listenerNames, String nodeId) {
      this.listenerNames = listenerNames;
      this.nodeId = nodeId;
    }

    ClusterConfig.NodeEntry read(YamlMap node) {
      int position = count++;
      String id = node.required("id", Scalars::text);
      Scalars.HostPort cluster = node.required("cluster", ClusterReader::memberAddress);
      Scalars.HostPort admin = node.value("admin", null, value -> Scalars.hostPort(value, 0));
      Map<String, Scalars.HostPort> listeners = node.entries("listeners", value -> Scalars.hostPort(value, 0));
      listeners.keySet().stream().filter(listener -> !listenerNames.contains(listener)).forEach(listener ->
          node.problems().add(node.path("listeners") + "." + listener, "unknown listener \"" + listener
              + "\"; defined listeners: " + String.join(", ", listenerNames)));
      boolean unique = id != null && unique(ids, id, position, node, "id", "duplicate node id \"" + id + "\"");
      if (cluster != null) {
        unique &= unique(addresses, cluster.toString().toLowerCase(Locale.ROOT), position, node, "cluster",
            "duplicate cluster address " + cluster);
      }
      if (!unique || cluster == null) {
        return null;
      }
      ClusterConfig.NodeEntry entry = new ClusterConfig.NodeEntry(id, cluster.host(), cluster.port(),
          admin == null ? null : admin.host(), admin == null ? 0 : admin.port());
      entries.add(entry);
      if (id.equals(nodeId)) {
        nodeBinds.add(new Binds.Bind(node.path("cluster"), "the cluster address of node " + id, cluster));
        if (admin != null) {
          nodeBinds.add(new Binds.Bind(node.path("admin"), "the admin listener of node " + id, admin));
        }
        listeners.forEach((listener, address) -> listenerBinds.put(listener,
            new Binds.Bind(node.path("listeners") + "." + listener, "listener \"" + listener + "\"", address)));
      }
      return entry;
    }

    private static boolean unique(Map<String, Integer> seen, String key, int position, YamlMap node, String field,
        String what) {
      Integer first = seen.putIfAbsent(key, position);
      if (first != null) {
        node.error(field, what + ", also used by nodes[" + first + "]");
      }
      return first == null;
    }
  }

  /** A Hazelcast member address: the other nodes connect to it, so a wildcard cannot do. */
  private static Scalars.HostPort memberAddress(JsonNode node) {
    Scalars.HostPort address = Scalars.hostPort(node, 1);
    if (Binds.isWildcard(address.host())) {
      throw new IllegalArgumentException("must be an address the other nodes can connect to, not the wildcard "
          + address.host());
    }
    return address;
  }

  /** Hazelcast counts heartbeats and failure detection in whole seconds; refusing fractions beats rounding silently. */
  private static Duration wholeSeconds(YamlMap map, String key, Duration def) {
    return map.value(key, def, node -> {
      Duration duration = Scalars.duration(node);
      if (duration.toMillisPart() != 0) {
        throw new IllegalArgumentException("must be whole seconds (Hazelcast counts in seconds), got "
            + Scalars.describe(node));
      }
      return duration;
    });
  }

  private static String stateFile(JsonNode node) {
    String template = Scalars.text(node);
    try {
      Path.of(template.replace("{node}", "node"));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("is not a valid path: " + e.getReason() + ", got " + Scalars.describe(node));
    }
    return template;
  }
}
