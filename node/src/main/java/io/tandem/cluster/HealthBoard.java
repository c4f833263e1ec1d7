package io.tandem.cluster;

import io.tandem.health.HealthState;
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
   * Registers a listener called with (pool, backendId) after a verdict changed. It runs on a control-plane thread,
   * never on an event loop of the data plane.
   */
  void addListener(BiConsumer<String, String> listener);

  /**
   * Reports that this node's traffic saw a backend fail (passive detection ejected it). The checking node treats it
   * as a reason to probe at once; a single node has nothing to do.
   */
  default void reportSuspect(String pool, String backendId) {}

  /** Registers a listener called with (pool, backendId) when another node reports a backend as suspect. */
  default void addSuspectListener(BiConsumer<String, String> listener) {}
}
