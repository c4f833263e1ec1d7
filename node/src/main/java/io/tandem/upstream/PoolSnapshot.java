package io.tandem.upstream;

import io.tandem.balancing.LoadBalancer;
import io.tandem.config.PoolConfig;
import io.tandem.health.PassiveDetector;
import java.util.List;
import java.util.Map;

/**
 * One pool as a routing snapshot sees it. Immutable, except for the runtime parts it shares with other snapshots of
 * the same pool (the wait queue and the passive detector), which are lock-free.
 *
 * @param config   the pool's configuration
 * @param backends every backend, eligible or not, in configuration order
 * @param byId     backends by id
 * @param byToken  backends by persistence-cookie token
 * @param balancer balancer over the eligible backends
 * @param queue    requests waiting for a backend slot
 * @param passive  outlier ejection, or null when the pool has none
 */
public record PoolSnapshot(
    PoolConfig config,
    List<Backend> backends,
    Map<String, Backend> byId,
    Map<String, Backend> byToken,
    LoadBalancer<Backend> balancer,
    PoolQueue queue,
    PassiveDetector passive) {

  public String name() {
    return config.name();
  }

  /**
   * Gives a slot on {@code b} back (to the next waiter, or to the counter) and reports how its use ended to passive
   * outlier detection, if the pool has it.
   */
  public void release(Backend b, boolean failure) {
    if (passive != null) {
      if (failure) {
        passive.onFailure(b.id());
      } else {
        passive.onSuccess(b.id());
      }
    }
    queue.release(b);
  }

  /** Whether any backend could take a request now or later (eligible ones exist). */
  public boolean hasEligible() {
    return !balancer.backends().isEmpty();
  }
}
