package io.tandem.limits;

import io.tandem.config.PoolConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What protects one pool from piling up when its backends fail or return: a circuit breaker, a retry budget and slow
 * start. One instance per pool survives reloads ({@link PoolGuards}); lock-free, a few atomics per request.
 *
 * <ul>
 *   <li><b>Circuit breaker</b>: {@code consecutive-failures} failed requests in a row open it; while open every
 *       request is answered 503 at once; after {@code open-time} one trial request passes (half-open): its success
 *       closes the breaker, its failure opens it again.
 *   <li><b>Retry budget</b>: a retry is allowed while retries in flight stay below {@code percent} of the pool's
 *       requests in flight, or below {@code min-retries}: when every backend fails fast, requests fail instead of
 *       multiplying the load by the number of attempts.
 *   <li><b>Slow start</b>: a backend that became healthy again (by the shared verdict, which every node receives
 *       within milliseconds) or was added takes, over {@code slow-start}, a linearly growing share of what the
 *       balancer would give it: each pick of it is kept with probability elapsed / window.
 * </ul>
 */
public final class PoolGuard {
  private volatile PoolConfig config;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger retriesInFlight = new AtomicInteger();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  /** Nanotime until which the breaker is open; Long.MIN_VALUE when closed. */
  private final AtomicLong openUntil = new AtomicLong(Long.MIN_VALUE);
  private final AtomicInteger trial = new AtomicInteger();
  private final Map<String, Long> warmingSince = new ConcurrentHashMap<>();
  private final LongAdder breakerRefusals = new LongAdder();
  private final LongAdder retriesDenied = new LongAdder();

  PoolGuard(PoolConfig config) {
    this.config = config;
  }

  void config(PoolConfig config) {
    this.config = config;
  }

  // ---- circuit breaker ----

  /** Whether a request may try the pool now; false: answer 503 at once. Counts the request in flight when true. */
  public boolean admit(long now) {
    long until = openUntil.get();
    if (until != Long.MIN_VALUE) {
      if (now - until < 0 || !trial.compareAndSet(0, 1)) {
        breakerRefusals.increment();
        return false;
      }
      // Half-open: this request is the trial.
    }
    inFlight.incrementAndGet();
    return true;
  }

  /**
   * A request admitted by {@link #admit} ended without telling anything about the backends (client gone, queue
   * time-out, refused by a limit).
   */
  public void release(boolean wasRetry) {
    inFlight.decrementAndGet();
    if (wasRetry) {
      retriesInFlight.decrementAndGet();
    }
    if (openUntil.get() != Long.MIN_VALUE) {
      trial.compareAndSet(1, 0);   // the trial proved nothing: let the next request try
    }
  }

  /** A request admitted by {@link #admit} ended; {@code failed} for connect failures, resets, timeouts and 5xx. */
  public void done(boolean failed, boolean wasRetry, long now) {
    inFlight.decrementAndGet();
    if (wasRetry) {
      retriesInFlight.decrementAndGet();
    }
    PoolConfig.CircuitBreaker cb = config.circuitBreaker();
    if (!failed) {
      consecutiveFailures.set(0);
      if (openUntil.get() != Long.MIN_VALUE) {
        openUntil.set(Long.MIN_VALUE);
        trial.set(0);
      }
      return;
    }
    if (cb == null) {
      return;
    }
    boolean halfOpenTrial = openUntil.get() != Long.MIN_VALUE && trial.get() == 1;
    if (consecutiveFailures.incrementAndGet() >= cb.consecutiveFailures() || halfOpenTrial) {
      openUntil.set(now + cb.openTime().toNanos());
      trial.set(0);
    }
  }

  /** Whether the breaker is open now (for status). */
  public boolean open(long now) {
    long until = openUntil.get();
    return until != Long.MIN_VALUE && now - until < 0;
  }

  // ---- retry budget ----

  /** Takes a retry from the budget; false when the budget is spent (fail instead of retrying). */
  public boolean tryRetry() {
    PoolConfig.RetryBudget b = config.retryBudget();
    int allowed = Math.max(b.minRetries(), inFlight.get() * b.percent() / 100);
    while (true) {
      int n = retriesInFlight.get();
      if (n >= allowed) {
        retriesDenied.increment();
        return false;
      }
      if (retriesInFlight.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  // ---- slow start ----

  /** A backend started serving again (or was added) at {@code now}. */
  void warming(String backendId, long now) {
    if (config.slowStart() != null) {
      warmingSince.put(backendId, now);
    }
  }

  /**
   * The share (0..1) of its normal traffic a backend takes at {@code now}: 1 when it is not warming up.
   */
  public double share(String backendId, long now) {
    Long since = warmingSince.get(backendId);
    if (since == null || config.slowStart() == null) {
      return 1;
    }
    double f = (double) (now - since) / config.slowStart().toNanos();
    if (f >= 1) {
      warmingSince.remove(backendId, since);
      return 1;
    }
    return Math.max(0, f);
  }

  /** Whether to pass over a pick of this backend now, so that it gets only its slow-start share. */
  public boolean holdsBack(String backendId, long now) {
    if (warmingSince.isEmpty()) {
      return false;
    }
    double share = share(backendId, now);
    return share < 1 && ThreadLocalRandom.current().nextDouble() >= share;
  }

  /**
   * A read-only picture of this guard at {@code now}, for the admin API (control plane: walks the warming backends).
   *
   * @param breaker         {@code closed}, {@code open} or {@code half-open} (open time over, trial allowed)
   * @param openedNanosAgo  for an open or half-open breaker, how long ago it opened; else -1
   * @param breakerRefusals requests answered 503 by the open breaker since start
   * @param retriesInFlight retries in flight now
   * @param retriesAllowed  retries the budget allows in flight now
   * @param retriesDenied   retries refused by the budget since start
   * @param warming         backends in slow start and the share of their traffic they take now (0..1)
   */
  public record Status(String breaker, long openedNanosAgo, long breakerRefusals, int retriesInFlight,
      int retriesAllowed, long retriesDenied, Map<String, Double> warming) {}

  public Status status(long now) {
    PoolConfig c = config;
    long until = openUntil.get();
    String breaker = until == Long.MIN_VALUE ? "closed" : now - until < 0 ? "open" : "half-open";
    long openTime = c.circuitBreaker() == null ? 0 : c.circuitBreaker().openTime().toNanos();
    long openedAgo = until == Long.MIN_VALUE ? -1 : Math.max(0, now - (until - openTime));
    Map<String, Double> warming = new java.util.TreeMap<>();
    for (String id : warmingSince.keySet()) {
      double s = share(id, now);
      if (s < 1) {
        warming.put(id, s);
      }
    }
    PoolConfig.RetryBudget b = c.retryBudget();
    int allowed = Math.max(b.minRetries(), inFlight.get() * b.percent() / 100);
    return new Status(breaker, openedAgo, breakerRefusals(), retriesInFlight.get(), allowed, retriesDenied(),
        warming);
  }

  public long breakerRefusals() {
    return breakerRefusals.sum();
  }

  public long retriesDenied() {
    return retriesDenied.sum();
  }

  public int inFlight() {
    return inFlight.get();
  }
}
