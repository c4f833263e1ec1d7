package io.tandem.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Cluster settings (YAML sections {@code cluster} and {@code nodes}), present when the file describes several nodes.
 * One file serves the whole cluster; {@code --node ID} picks which entry this process is ({@link #nodeId}). With
 * {@code cluster.discovery: dns} the members are not listed: they are the addresses a DNS name resolves to
 * ({@link #members}), and {@link #nodes} holds this node's entry only.
 *
 * @param name           Hazelcast cluster name; members with another name are never admitted
 * @param nodeId         this process's node id
 * @param nodes          every node of the cluster, in file order
 * @param heartbeat      heartbeat interval between members
 * @param failureTimeout a member silent this long is declared dead
 * @param minMembers     members this side needs for quorum (owner-only actions such as holding a VIP)
 * @param stateFile      where runtime changes are saved locally; {@code {node}} in the path is this node's id
 * @param quicRelayPort  UDP port of the relay socket on this node's cluster address, through which the nodes pass each
 *                       other HTTP/3 packets that reached the wrong node; 0: any free port (announced to the others)
 * @param members        where the members are found in DNS ({@code cluster.discovery: dns}), or null when they are
 *                       the {@code nodes:} list
 */
public record ClusterConfig(
    String name,
    String nodeId,
    List<NodeEntry> nodes,
    Duration heartbeat,
    Duration failureTimeout,
    int minMembers,
    Path stateFile,
    int quicRelayPort,
    MemberDiscovery members) {

  public ClusterConfig {
    nodes = List.copyOf(nodes);
  }

  /** Members from the {@code nodes:} list. */
  public ClusterConfig(String name, String nodeId, List<NodeEntry> nodes, Duration heartbeat, Duration failureTimeout,
      int minMembers, Path stateFile, int quicRelayPort) {
    this(name, nodeId, nodes, heartbeat, failureTimeout, minMembers, stateFile, quicRelayPort, null);
  }

  /** Settings with the relay on any free port. */
  public ClusterConfig(String name, String nodeId, List<NodeEntry> nodes, Duration heartbeat, Duration failureTimeout,
      int minMembers, Path stateFile) {
    this(name, nodeId, nodes, heartbeat, failureTimeout, minMembers, stateFile, 0);
  }

  /**
   * One node of the cluster.
   *
   * @param id          stable node id, e.g. {@code n1}
   * @param clusterHost address the node's Hazelcast member binds to and peers connect to
   * @param clusterPort its Hazelcast port
   * @param adminHost   admin listener address (next issue), or null
   * @param adminPort   admin listener port, or 0
   */
  public record NodeEntry(String id, String clusterHost, int clusterPort, String adminHost, int adminPort) {
    public String clusterAddress() {
      return clusterHost + ":" + clusterPort;
    }
  }

  /**
   * Members found in DNS ({@code cluster.discovery: dns}, e.g. a Kubernetes headless service).
   *
   * @param name the name whose A and AAAA records are the members' addresses
   * @param port every member's Hazelcast port
   */
  public record MemberDiscovery(String name, int port) {}

  /** Whether the members come from DNS rather than from the {@code nodes:} list. */
  public boolean discoversMembers() {
    return members != null;
  }

  /** This process's entry. */
  public NodeEntry self() {
    return nodes.stream().filter(n -> n.id().equals(nodeId)).findFirst()
        .orElseThrow(() -> new IllegalStateException("node " + nodeId + " is not in the nodes list"));
  }
}
