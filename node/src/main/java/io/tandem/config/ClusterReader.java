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
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code cluster} and {@code nodes} sections. One file describes the whole cluster and {@code --node ID} picks
 * this process's entry; the nodes list is also the trusted member list (the only addresses a member joins and admits).
 * With {@code cluster.discovery: dns} there is no list: the members are the addresses a DNS name resolves to, each
 * member names its own address ({@code cluster.address}, usually {@code ${POD_IP}}) and {@code --node} its own id.
 */
final class ClusterReader {
  /** How the members are known ({@code cluster.discovery}). */
  enum Discovery { NODES, DNS }

  static final int DEFAULT_MEMBER_PORT = 5701;
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?"
      + "(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\\.?");
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
    return read(top, listenerNames, nodeId, System::getenv);
  }

  /** @param env the environment {@code ${NAME}} in {@code cluster.address} is taken from (null: not set) */
  static Result read(YamlMap top, List<String> listenerNames, String nodeId, UnaryOperator<String> env) {
    YamlMap settings = top.map("cluster", "name", "heartbeat", "failure-timeout", "min-members", "state-file",
        "quic-relay-port", "discovery", "members", "port", "address");
    Discovery discovery = settings.choice("discovery", Discovery.class, null);
    if (discovery == null && settings.has("discovery")) {
      return Result.STANDALONE;   // which form the rest is meant in is unknown: one error is enough
    }
    boolean dns = discovery == Discovery.DNS;
    boolean clustered = top.has("nodes") || dns;
    String name = clustered ? settings.required("name", Scalars::text) : settings.string("name", null);
    Duration heartbeat = wholeSeconds(settings, "heartbeat", DEFAULT_HEARTBEAT);
    Duration failureTimeout = wholeSeconds(settings, "failure-timeout", DEFAULT_FAILURE_TIMEOUT);
    if (failureTimeout.compareTo(heartbeat) <= 0) {
      settings.error("failure-timeout", "must be longer than heartbeat (" + heartbeat.toSeconds() + "s), got "
          + failureTimeout.toSeconds() + "s");
    }
    String stateFile = settings.value("state-file", DEFAULT_STATE_FILE, ClusterReader::stateFile);
    int quicRelayPort = settings.integer("quic-relay-port", 0, 0, 65535);
    if (dns) {
      return dns(top, settings, nodeId, env, new ClusterConfig(name, nodeId, List.of(), heartbeat, failureTimeout, 1,
          Path.of(stateFile.replace("{node}", nodeId == null ? "node" : nodeId)), quicRelayPort));
    }
    for (String key : List.of("members", "port", "address")) {
      if (settings.has(key)) {
        settings.error(key, "is only read with discovery: dns (the nodes: list gives each member's address)");
      }
    }
    if (!clustered) {
      if (top.has("cluster")) {
        top.error("cluster", "needs a nodes: section (or discovery: dns)");
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

  /**
   * The {@code discovery: dns} form: {@code base} carries the settings read so far; the result's nodes list holds
   * this node's entry only.
   */
  private static Result dns(YamlMap top, YamlMap settings, String nodeId, UnaryOperator<String> env,
      ClusterConfig base) {
    if (top.has("nodes")) {
      top.error("nodes", "cannot be combined with cluster.discovery: dns (the members come from DNS); remove one");
    }
    if (top.has("vips")) {
      top.error("vips", "need the fixed nodes: list (each node must know every other); they are not available with "
          + "cluster.discovery: dns");
    }
    String members = settings.required("members", ClusterReader::dnsName);
    int port = settings.integer("port", DEFAULT_MEMBER_PORT, 1, 65535);
    String address = settings.required("address", value -> ownAddress(value, env));
    int minMembers = settings.integer("min-members", 1, 1, Integer.MAX_VALUE);
    if (nodeId == null) {
      top.problems().add("", "cluster.discovery: dns needs --node ID, this member's own id (unique in the cluster, "
          + "e.g. the pod name)");
      return Result.STANDALONE;
    }
    if (members == null || address == null) {
      return Result.STANDALONE;
    }
    Scalars.HostPort admin = adminListen(top);
    ClusterConfig.NodeEntry self = new ClusterConfig.NodeEntry(nodeId, address, port,
        admin == null ? null : admin.host(), admin == null ? 0 : admin.port());
    List<Binds.Bind> nodeBinds = new ArrayList<>();
    nodeBinds.add(new Binds.Bind(settings.path("address"), "the cluster address of node " + nodeId,
        new Scalars.HostPort(address, port)));
    if (admin != null) {
      nodeBinds.add(new Binds.Bind("admin.listen", "the admin listener of node " + nodeId, admin));
    }
    ClusterConfig cluster = new ClusterConfig(base.name(), nodeId, List.of(self), base.heartbeat(),
        base.failureTimeout(), minMembers, base.stateFile(), base.quicRelayPort(),
        new ClusterConfig.MemberDiscovery(members, port));
    return new Result(cluster, Map.of(), nodeBinds);
  }

  /** {@code admin.listen} as the admin reader parses it, or null; the admin reader reports what is wrong with it. */
  private static Scalars.HostPort adminListen(YamlMap top) {
    JsonNode admin = top.raw("admin");
    JsonNode listen = admin == null || !admin.isObject() ? null : admin.get("listen");
    if (listen == null || listen.isNull()) {
      return null;
    }
    try {
      return AdminReader.listen(listen);
    } catch (IllegalArgumentException reportedByAdminReader) {
      return null;
    }
  }

  /** A DNS name (no scheme, no port): the members' A/AAAA records. */
  private static String dnsName(JsonNode value) {
    String name = Scalars.text(value).strip();
    if (name.length() > 253 || !DNS_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("must be a DNS name such as tandem-members.tandem.svc.cluster.local, got "
          + Scalars.describe(value));
    }
    return name;
  }

  /**
   * This member's own IP address, with {@code ${NAME}} taken from the environment: the others connect to it and find
   * it among the name's records, so neither a wildcard nor a host name can do.
   */
  private static String ownAddress(JsonNode value, UnaryOperator<String> env) {
    String text = substitute(Scalars.text(value), env).strip();
    String ip = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (!io.netty.util.NetUtil.isValidIpV4Address(ip) && !io.netty.util.NetUtil.isValidIpV6Address(ip)) {
      throw new IllegalArgumentException("must be this member's IP address (such as ${POD_IP}), got \"" + text + "\"");
    }
    if (Binds.isWildcard(ip)) {
      throw new IllegalArgumentException("must be an address the other members can connect to, not the wildcard "
          + ip);
    }
    return ip;
  }

  /** {@code text} with each {@code ${NAME}} replaced by the environment's value. */
  static String substitute(String text, UnaryOperator<String> env) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      if (!VARIABLE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("\"${" + name + "}\" is not an environment variable name");
      }
      String value = env.apply(name);
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("environment variable " + name + " is " + (value == null ? "not set"
            : "empty"));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    if (out.indexOf("${") >= 0) {
      throw new IllegalArgumentException("has an unclosed ${ in \"" + text + "\"");
    }
    return out.toString();
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
      Path unused = Path.of(template.replace("{node}", "node")); // parsed only to reject an invalid template
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("is not a valid path: " + e.getReason() + ", got " + Scalars.describe(node));
    }
    return template;
  }
}
