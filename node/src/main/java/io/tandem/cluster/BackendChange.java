package io.tandem.cluster;


/**
 * One operator change of one backend. Null fields leave that aspect as configured.
 *
 * <p>Besides drain/disable/enable and weight, a change may add a backend to a pool ({@code added}: the backend exists
 * from then on, even across reloads, with that address) or remove one ({@code removed}: a configured backend stays out
 * of its pool across reloads until it is added again). An add or a remove replaces whatever was in force for that
 * backend; a later state or weight change keeps it.
 *
 * @param pool      pool name
 * @param backendId backend id
 * @param state     admin state, or null
 * @param weight    weight override (1..256), or null
 * @param version   cluster-wide version, assigned when stored (0 before)
 * @param node      id of the node where the change was made
 * @param atMillis  wall-clock time of the change
 * @param added     the backend's address and limits when it was added at runtime, else null
 * @param removed   whether the backend was removed from its pool at runtime
 * @param split     for a traffic split's weights (see {@link #splitWeights}), the weight of each of its pools; else
 *                  null
 * @param discovered for a pool's {@code discover:} entry (see {@link #discovered}), the backends it found; else null
 */
public record BackendChange(
    String pool, String backendId, AdminState state, Integer weight, long version, String node, long atMillis,
    Added added, boolean removed, java.util.Map<String, Integer> split, DiscoveredSet discovered) {

  /**
   * What the {@code pool} of a split change starts with. Pool names cannot hold a {@code /}, so the key of a split
   * change ({@code split/<listener>/<route>}) never meets a backend's.
   */
  public static final String SPLIT = "split/";

  /**
   * What the {@code pool} of a discovered set starts with: {@code discover/<pool>}, with the entry's key as
   * {@code backendId}.
   */
  public static final String DISCOVER = "discover/";

  public BackendChange {
    split = split == null ? null : java.util.Map.copyOf(split);
  }

  /** A change that is not a discovered set. */
  public BackendChange(String pool, String backendId, AdminState state, Integer weight, long version, String node,
      long atMillis, Added added, boolean removed, java.util.Map<String, Integer> split) {
    this(pool, backendId, state, weight, version, node, atMillis, added, removed, split, null);
  }

  /** A backend change (no split weights). */
  public BackendChange(String pool, String backendId, AdminState state, Integer weight, long version, String node,
      long atMillis, Added added, boolean removed) {
    this(pool, backendId, state, weight, version, node, atMillis, added, removed, null);
  }

  /**
   * A backend added at runtime: what its configuration entry would say.
   *
   * @param host           host name or IP
   * @param port           1..65535
   * @param weight         1..256
   * @param maxConnections 0 (unlimited) or more
   */
  public record Added(String host, int port, int weight, int maxConnections) {}

  /** A state or weight change (no add, no remove). */
  public BackendChange(String pool, String backendId, AdminState state, Integer weight, long version, String node,
      long atMillis) {
    this(pool, backendId, state, weight, version, node, atMillis, null, false);
  }

  public static BackendChange state(String pool, String backendId, AdminState state) {
    return new BackendChange(pool, backendId, state, null, 0, null, 0);
  }

  public static BackendChange weight(String pool, String backendId, int weight) {
    return new BackendChange(pool, backendId, null, weight, 0, null, 0);
  }

  public static BackendChange add(String pool, String backendId, Added backend) {
    return new BackendChange(pool, backendId, null, null, 0, null, 0, backend, false);
  }

  public static BackendChange remove(String pool, String backendId) {
    return new BackendChange(pool, backendId, null, null, 0, null, 0, null, true);
  }

  /**
   * An operator's weights for the pools of a split route ({@code split:}): every node routes by them instead of the
   * configured ones, across reloads, until changed again. {@code weights} may name only some of the pools.
   */
  public static BackendChange splitWeights(String listener, String route, java.util.Map<String, Integer> weights) {
    return new BackendChange(SPLIT + listener, route, null, null, 0, null, 0, null, false, weights);
  }

  /**
   * The backends a pool's {@code discover:} entry (by its {@link io.tandem.config.DiscoverConfig#key() key}) found:
   * they replace the entry's earlier set on every node.
   */
  public static BackendChange discovered(String pool, String entryKey, DiscoveredSet set) {
    return new BackendChange(DISCOVER + pool, entryKey, null, null, 0, null, 0, null, false, null, set);
  }

  /** The key under which a pool's discover entry's set is kept. */
  public static String discoveredKey(String pool, String entryKey) {
    return DISCOVER + pool + "/" + entryKey;
  }

  /** Whether this is a split route's weights rather than a backend's change. */
  public boolean splitsTraffic() {
    return split != null;
  }

  public String key() {
    return pool + "/" + backendId;
  }

  /** This change with its version, origin node and time set. */
  public BackendChange stamped(long version, String node, long atMillis) {
    return new BackendChange(pool, backendId, state, weight, version, node, atMillis, added, removed, split,
        discovered);
  }

  /** Whether this change puts a runtime-added backend in its pool (added and not removed since). */
  public boolean addsBackend() {
    return added != null && !removed;
  }

  /**
   * This change merged over an earlier one for the same backend: an add or a remove replaces the earlier one; a state
   * or weight change keeps the fields it leaves null, and the earlier add or remove.
   */
  public BackendChange over(BackendChange earlier) {
    if (earlier == null || added != null || removed || discovered != null) {
      return this;
    }
    if (split != null) {
      java.util.Map<String, Integer> merged = new java.util.TreeMap<>(earlier.split == null ? java.util.Map.of()
          : earlier.split);
      merged.putAll(split);
      return new BackendChange(pool, backendId, null, null, version, node, atMillis, null, false, merged);
    }
    return new BackendChange(pool, backendId, state != null ? state : earlier.state,
        weight != null ? weight : earlier.weight, version, node, atMillis, earlier.added, earlier.removed);
  }

  /**
   * Why this change cannot be merged over {@code earlier}, or null when it can: adding a backend that a runtime add
   * already put there. (Whether a configured backend has the id is checked by the registry, which knows the pools.)
   */
  public String conflictWith(BackendChange earlier) {
    if (added != null && earlier != null && earlier.addsBackend()) {
      return "pool " + pool + " already has a backend with id \"" + backendId + "\"";
    }
    return null;
  }
}
