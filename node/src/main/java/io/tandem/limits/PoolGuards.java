package io.tandem.limits;

import io.tandem.config.BackendConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.TandemConfig;
import io.tandem.util.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link PoolGuard} of every pool; survives reloads. Fed by the control plane (health verdicts, reloads). */
public final class PoolGuards {
  private final Clock clock;
  private final Map<String, PoolGuard> guards = new ConcurrentHashMap<>();
  private final Map<String, Boolean> serving = new ConcurrentHashMap<>();
  private final Map<String, PoolConfig> lastConfigs = new ConcurrentHashMap<>();
  private boolean applied;

  public PoolGuards(Clock clock) {
    this.clock = clock;
  }

  public Clock clock() {
    return clock;
  }

  /** Installs a (re)loaded configuration; backends added by a reload start slowly. */
  public synchronized void apply(TandemConfig config) {
    long now = clock.nanoTime();
    Set<String> live = new HashSet<>();
    for (PoolConfig pool : config.pools()) {
      live.add(pool.name());
      PoolGuard g = guards.computeIfAbsent(pool.name(), n -> new PoolGuard(pool));
      PoolConfig before = lastConfigs.get(pool.name());
      g.config(pool);
      if (applied) {
        for (BackendConfig b : pool.backends()) {
          if (before == null || before.backends().stream().noneMatch(x -> x.id().equals(b.id()))) {
            g.warming(b.id(), now);
          }
        }
      }
      lastConfigs.put(pool.name(), pool);
    }
    guards.keySet().retainAll(live);
    lastConfigs.keySet().retainAll(live);
    applied = true;
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
