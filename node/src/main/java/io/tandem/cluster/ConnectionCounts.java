package io.tandem.cluster;

/**
 * Connection counts of the other nodes. This node's own counts are exact and live in
 * {@link io.tandem.upstream.BackendStats}; the others' are their latest publications (bounded staleness).
 */
public interface ConnectionCounts {

  /** Sum of the other live nodes' latest published in-flight counts for a backend; 0 on a single node. */
  int othersActive(String pool, String backendId);

  /**
   * Where this node's own counts come from ({@code pool/backendId} to in-flight count); the cluster implementation
   * reads it every publication interval (about 100 ms) and publishes the result. Called once at start-up.
   */
  default void localSource(java.util.function.Supplier<java.util.Map<String, Integer>> source) {}

  /**
   * The other nodes' latest published in-flight count for one backend, by node id (this node is not included: its
   * exact count is in {@code BackendStats}). For operators; never on the data path.
   */
  default java.util.Map<String, Integer> perNode(String pool, String backendId) {
    return java.util.Map.of();
  }

  /**
   * When each other live node's counts were last received here (wall-clock millis), by node id: the staleness of
   * {@link #othersActive} and the "last heartbeat" an operator sees.
   */
  default java.util.Map<String, Long> lastPublished() {
    return java.util.Map.of();
  }

  /**
   * Milliseconds since this node last received each other live node's publication, by node id: the replication lag
   * of the counts (a node publishes at least every second, so a value well above 1000 means that node or the link to
   * it is unhappy). Empty on a single node and for nodes not heard from yet.
   */
  default java.util.Map<String, Long> publicationAgesMillis() {
    long now = System.currentTimeMillis();
    java.util.Map<String, Long> ages = new java.util.TreeMap<>();
    lastPublished().forEach((node, at) -> ages.put(node, Math.max(0, now - at)));
    return ages;
  }
}
