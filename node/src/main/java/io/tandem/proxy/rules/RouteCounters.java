package io.tandem.proxy.rules;

import io.tandem.util.Outcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a listener's route actions did, per route (by its label: its {@code name}, else {@code routes[i]}, or
 * {@code default}): requests redirected, denied and answered by an action, requests mirrored and mirror copies that
 * failed, and each split pool's share. Counted on the event loops without a lock; kept across reloads (a route keeps
 * its counts while its label stays).
 */
public final class RouteCounters {
  private final ConcurrentHashMap<String, Counts> byRoute = new ConcurrentHashMap<>();

  /** One route's counts. */
  public static final class Counts {
    final LongAdder redirected = new LongAdder();
    final LongAdder denied = new LongAdder();
    final LongAdder returned = new LongAdder();
    final LongAdder mirrored = new LongAdder();
    final LongAdder mirrorFailed = new LongAdder();
    final ConcurrentHashMap<String, LongAdder> split = new ConcurrentHashMap<>();

    /** An answer an action made. */
    public void answered(Outcome outcome) {
      switch (outcome) {
        case REDIRECTED -> redirected.increment();
        case DENIED -> denied.increment();
        default -> returned.increment();
      }
    }

    /** A request of a split route went to {@code pool}. */
    public void split(String pool) {
      split.computeIfAbsent(pool, p -> new LongAdder()).increment();
    }

    /** A copy was sent to the mirror pool. */
    public void mirrored() {
      mirrored.increment();
    }

    /** A mirrored copy found no backend, failed or timed out (the client never knew). */
    public void mirrorFailed() {
      mirrorFailed.increment();
    }

    /** The counts as the admin API shows them; split shares by pool. */
    public Map<String, Object> view() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("redirected", redirected.sum());
      m.put("denied", denied.sum());
      m.put("returned", returned.sum());
      m.put("mirrored", mirrored.sum());
      m.put("mirrorFailed", mirrorFailed.sum());
      Map<String, Long> shares = new TreeMap<>();
      split.forEach((pool, n) -> shares.put(pool, n.sum()));
      m.put("split", shares);
      return m;
    }
  }

  public Counts of(String route) {
    Counts c = byRoute.get(route);
    return c != null ? c : byRoute.computeIfAbsent(route, r -> new Counts());
  }

  /** Every route's counts, by label. */
  public Map<String, Map<String, Object>> view() {
    Map<String, Map<String, Object>> m = new TreeMap<>();
    byRoute.forEach((route, c) -> m.put(route, c.view()));
    return m;
  }
}
