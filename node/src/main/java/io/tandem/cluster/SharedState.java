package io.tandem.cluster;

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

  @Override
  void close();
}
