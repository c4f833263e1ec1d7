package io.tandem.health;

import io.tandem.config.HealthConfig;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Outlier ejection of one pool from real traffic: a backend that fails {@code consecutiveFailures} times in a row is
 * taken out for {@code ejectionTime}, then comes back with a clean streak.
 *
 * <p>At most {@code max(1, floor(poolSize * maxEjectionPercent / 100))} backends are out at once when the percent is
 * above 0, and none when it is 0; so a pool of 3 with 10% may still eject one backend. A backend refused by that cap is
 * ejected at its next failure once room frees up.
 *
 * <p>{@link #onSuccess} and {@link #onFailure} are for the data path: lock-free, allocation-free once a backend has
 * been seen, and they never log or call out. Everything else (logging, {@code onChange}, the return timer) runs as a
 * {@link Scheduler} task, so {@code onChange} runs on the control plane, outside any lock, after each ejection and
 * each return; it typically rebuilds the routing snapshot, which reads {@link #isEjected}.
 */
public final class PassiveDetector implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(PassiveDetector.class);

  private final String pool;
  private final HealthConfig.Passive cfg;
  private final IntSupplier poolSize;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Runnable onChange;
  private final Map<String, AtomicInteger> streaks = new ConcurrentHashMap<>();
  private final Map<String, Ejection> ejected = new ConcurrentHashMap<>();
  private final AtomicInteger ejectedCount = new AtomicInteger();
  private volatile boolean closed;

  private static final class Ejection {
    final long untilNanos;
    volatile Scheduler.Cancellable timer;

    Ejection(long untilNanos) {
      this.untilNanos = untilNanos;
    }
  }

  /**
   * @param poolSize current number of backends in the pool (read at each ejection, so reloads are followed)
   * @param onChange called after each ejection and return
   */
  public PassiveDetector(String pool, HealthConfig.Passive cfg, IntSupplier poolSize, Clock clock, Scheduler scheduler,
      Runnable onChange) {
    this.pool = pool;
    this.cfg = cfg;
    this.poolSize = poolSize;
    this.clock = clock;
    this.scheduler = scheduler;
    this.onChange = onChange;
  }

  /** The most backends of a pool of {@code size} that may be ejected at once (see the class comment). */
  static int maxEjected(int size, int percent) {
    return percent <= 0 ? 0 : Math.max(1, (int) ((long) size * percent / 100));
  }

  /** A request or connection to the backend succeeded: its failure streak ends. */
  public void onSuccess(String backendId) {
    AtomicInteger streak = streaks.get(backendId);
    if (streak != null && streak.get() != 0) {
      streak.set(0);
    }
  }

  /** A connection to the backend failed or it answered 5xx. */
  public void onFailure(String backendId) {
    AtomicInteger streak = streaks.get(backendId);
    if (streak == null) {
      streak = streaks.computeIfAbsent(backendId, id -> new AtomicInteger());
    }
    int failures = streak.incrementAndGet();
    if (failures >= cfg.consecutiveFailures() && !closed && !ejected.containsKey(backendId)) {
      tryEject(backendId, failures);
    }
  }

  private void tryEject(String backendId, int failures) {
    int size = poolSize.getAsInt();
    int cap = maxEjected(size, cfg.maxEjectionPercent());
    int out;
    do {
      out = ejectedCount.get();
      if (out >= cap) {
        if (failures == cfg.consecutiveFailures()) {
          int seen = out;
          scheduler.schedule(Duration.ZERO, () -> LOG.warn(
              "passive {}/{}: {} failures in a row, not ejected: {} of {} backends already out (max {}%)",
              pool, backendId, failures, seen, size, cfg.maxEjectionPercent()));
        }
        return;
      }
    } while (!ejectedCount.compareAndSet(out, out + 1));
    Ejection ejection = new Ejection(clock.nanoTime() + cfg.ejectionTime().toNanos());
    if (ejected.putIfAbsent(backendId, ejection) != null) {
      ejectedCount.decrementAndGet(); // another thread ejected it first
      return;
    }
    ejection.timer = scheduler.schedule(cfg.ejectionTime(), () -> restore(backendId, ejection));
    scheduler.schedule(Duration.ZERO, () -> {
      LOG.warn("passive {}/{}: ejected for {} after {} failures in a row", pool, backendId, cfg.ejectionTime(),
          failures);
      onChange.run();
    });
  }

  private void restore(String backendId, Ejection ejection) {
    if (closed || !ejected.remove(backendId, ejection)) {
      return;
    }
    ejectedCount.decrementAndGet();
    AtomicInteger streak = streaks.get(backendId);
    if (streak != null) {
      streak.set(0);
    }
    LOG.info("passive {}/{}: back after ejection", pool, backendId);
    onChange.run();
  }

  /** Whether the backend is ejected now. Lock-free. */
  public boolean isEjected(String backendId) {
    return ejected.containsKey(backendId);
  }

  /** The ejected backends now. */
  public Set<String> ejectedIds() {
    return Set.copyOf(ejected.keySet());
  }

  /** Time until an ejected backend returns (never negative), or null when it is not ejected. For the admin API. */
  public Duration ejectionRemaining(String backendId) {
    Ejection e = ejected.get(backendId);
    return e == null ? null : Duration.ofNanos(Math.max(0, e.untilNanos - clock.nanoTime()));
  }

  /** After a reload: forgets backends no longer in the pool (their ejections end without {@code onChange}). */
  public void retainOnly(Collection<String> backendIds) {
    Set<String> keep = Set.copyOf(backendIds);
    streaks.keySet().retainAll(keep);
    ejected.forEach((id, e) -> {
      if (!keep.contains(id) && ejected.remove(id, e)) {
        cancel(e);
        ejectedCount.decrementAndGet();
      }
    });
  }

  /** Cancels pending returns; the detector ejects nothing afterwards. */
  @Override
  public void close() {
    closed = true;
    ejected.values().forEach(PassiveDetector::cancel);
  }

  private static void cancel(Ejection e) {
    Scheduler.Cancellable t = e.timer;
    if (t != null) {
      t.cancel();
    }
  }
}
