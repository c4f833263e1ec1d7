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
}
