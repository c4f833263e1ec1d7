package io.tandem.cluster;

import io.tandem.affinity.AffinityTable;
/**
 * Everything a node shares with the rest of its cluster, behind small interfaces. Only this package may talk to
 * Hazelcast; a single node and the unit tests use {@link LocalSharedState}, which keeps it all in memory.
 */
public interface SharedState extends AutoCloseable {

  /** This node's id (as in the {@code nodes:} section, or {@code local} for a single node). */
  String nodeId();

  AffinityTable affinity();

  HealthBoard health();

  ConnectionCounts connections();

  RuntimeState runtime();

  Membership membership();

  /** Admission counts exchanged between nodes for cluster-wide rate limits ({@link UsageExchange#NONE} alone). */
  default UsageExchange usage() {
    return UsageExchange.NONE;
  }

  /** The other nodes' open connections per client address ({@link ClientConnectionCounts#NONE} alone). */
  default ClientConnectionCounts clientConnections() {
    return ClientConnectionCounts.NONE;
  }

  /** What the HTTP/3 listeners share: secret, server ids, relays ({@link QuicPeers#ALONE} alone). */
  default QuicPeers quic() {
    return QuicPeers.ALONE;
  }

  /**
   * Fields in which this node's configuration disagrees with the cluster's (pools, backend ids, persistence), one
   * readable line each; empty when they agree. A node with mismatches must not route traffic.
   */
  default java.util.List<String> configMismatches() {
    return java.util.List.of();
  }

  /**
   * Drops what expired while idle and is not dropped on its own (the in-memory affinity bindings; Hazelcast expires
   * its entries itself). Called periodically by the node.
   */
  default void expireIdle() {}

  @Override
  void close();

  /** Leaves at once, without handing anything over, as a crash would (tests); alone the same as {@link #close}. */
  default void terminate() {
    close();
  }
}
