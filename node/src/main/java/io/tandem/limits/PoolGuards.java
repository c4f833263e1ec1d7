package io.tandem.limits;

import io.tandem.config.BackendConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.TandemConfig;
import io.tandem.util.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link PoolGuard} of every pool; survives reloads. Fed by the control plane: reloads, the pools in force (with
 * the backends added at run time) and health verdicts.
 */
public final class PoolGuards {
  private final Clock clock;
  private final Map<String, PoolGuard> guards = new ConcurrentHashMap<>();
  private final Map<String, Boolean> serving = new ConcurrentHashMap<>();
  /** Backend ids by pool of the pools in force at the last {@link #pools} call; null before the first. */
  private Map<String, Set<String>> known;

  public PoolGuards(Clock clock) {
    this.clock = clock;
  }

  public Clock clock() {
    return clock;
  }

  /** Installs a (re)loaded configuration's pool settings; which backends are new is {@link #pools}'s business. */
  public synchronized void apply(TandemConfig config) {
    Set<String> live = new HashSet<>();
    for (PoolConfig pool : config.pools()) {
      live.add(pool.name());
      guards.computeIfAbsent(pool.name(), n -> new PoolGuard(pool)).config(pool);
    }
    guards.keySet().retainAll(live);
  }

  /**
   * The pools in force changed: a reload, or a backend added or removed through the admin API (here or on another
   * node). A backend that was not in force before starts slowly; the first call (the node starting) warms none.
   */
  public synchronized void pools(List<PoolConfig> inForce) {
    long now = clock.nanoTime();
    Map<String, Set<String>> next = new HashMap<>();
    for (PoolConfig pool : inForce) {
      PoolGuard g = guards.computeIfAbsent(pool.name(), n -> new PoolGuard(pool));
      g.config(pool);
      Set<String> before = known == null ? null : known.getOrDefault(pool.name(), Set.of());
      Set<String> ids = new HashSet<>();
      for (BackendConfig b : pool.backends()) {
        ids.add(b.id());
        if (before != null && !before.contains(b.id())) {
          g.warming(b.id(), now);
        }
      }
      next.put(pool.name(), ids);
    }
    known = next;
  }

  /**
   * The shared health verdict of a backend changed: one that serves traffic again after not serving starts slowly.
   * Every node receives the verdict within milliseconds, so every node follows the same curve.
   */
  public void verdict(String pool, String backendId, boolean servesTraffic) {
    Boolean was = serving.put(pool + '/' + backendId, servesTraffic);
    PoolGuard g = guards.get(pool);
    if (servesTraffic && Boolean.FALSE.equals(was) && g != null) {
      g.warming(backendId, clock.nanoTime());
    }
  }

  /** Every pool's guard by pool name, sorted (control plane: the admin API). */
  public Map<String, PoolGuard> all() {
    return new java.util.TreeMap<>(guards);
  }

  /** A pool's guard, or null for an unknown pool. Data path: one map lookup. */
  public PoolGuard get(String pool) {
    return guards.get(pool);
  }
}
