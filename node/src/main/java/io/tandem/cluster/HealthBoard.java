package io.tandem.cluster;

import java.util.function.BiConsumer;

/**
 * The shared health verdict of every backend. Active checking of a backend is done by one owning node (see
 * {@link #isChecker}); its verdict is published here and every node's routing snapshot follows it.
 */
public interface HealthBoard {

  /** Whether this node should run the active checks of this backend (always true on a single node). */
  boolean isChecker(String pool, String backendId);

  /** Publishes this node's verdict for a backend it checks. */
  void publish(String pool, String backendId, HealthState state);

  /** The latest verdict, {@link HealthState#PENDING} when none was published yet. Local memory only. */
  HealthState verdict(String pool, String backendId);

  /**
   * Registers a listener called after a verdict changed, in the order the changes came, with the verdict each change
   * set (not the latest one: a listener that runs late still sees a backend go down before it comes back). It runs on
   * a control-plane thread, never on an event loop of the data plane.
   */
  void addListener(VerdictListener listener);

  /** Hears verdict changes (see {@link #addListener}). */
  @FunctionalInterface
  interface VerdictListener {
    void changed(String pool, String backendId, HealthState verdict);
  }

  /**
   * Reports that this node's traffic saw a backend fail (passive detection ejected it). The checking node treats it
   * as a reason to probe at once; a single node has nothing to do.
   */
  default void reportSuspect(String pool, String backendId) {}

  /** Registers a listener called with (pool, backendId) when another node reports a backend as suspect. */
  default void addSuspectListener(BiConsumer<String, String> listener) {}

  /**
   * Records the result of one active probe of a backend this node checks, for {@link #detail}. The board stamps its own
   * node id (the result's {@code node} is ignored) and may skip publishing a result that says what the last one said
   * (the cluster board republishes an unchanged result at most every few seconds), so calling it after every probe is
   * cheap.
   *
   * <pre>{@code
   * board.publishCheck("web", "b1", new CheckResult(null, true, "status 200", 812, System.currentTimeMillis()));
   * }</pre>
   */
  default void publishCheck(String pool, String backendId, CheckResult result) {}

  /** Forgets this node's last check result of a backend (it is no longer checked here: removed from its pool). */
  default void withdrawCheck(String pool, String backendId) {}

  /**
   * What the cluster knows about one backend's health, for operators (admin API): the verdict, which node published
   * it and when, and the last check result of each node that checked it (the owner today; earlier owners keep their
   * last entry while they are members and the backend is in its pool). Local memory only; never called on the data
   * path.
   */
  default HealthDetail detail(String pool, String backendId) {
    return new HealthDetail(verdict(pool, backendId), null, 0, java.util.List.of(), java.util.List.of());
  }

  /**
   * @param verdict     the cluster verdict
   * @param publishedBy node id that published it, null when none did
   * @param sinceMillis wall-clock time the verdict last changed (0 unknown)
   * @param checks      the last check result per checking node
   * @param suspects    nodes whose passive detection reported this backend since its last verdict change
   */
  record HealthDetail(HealthState verdict, String publishedBy, long sinceMillis, java.util.List<CheckResult> checks,
      java.util.List<String> suspects) {}

  /**
   * @param node          node id that ran the check
   * @param ok            whether the probe passed
   * @param detail        probe result in words, e.g. {@code HTTP 200} or {@code connection refused}
   * @param latencyMicros probe round trip
   * @param atMillis      wall-clock time of the check
   */
  record CheckResult(String node, boolean ok, String detail, long latencyMicros, long atMillis) {}
}
