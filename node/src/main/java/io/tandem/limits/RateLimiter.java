package io.tandem.limits;

import io.tandem.config.RateLimitConfig;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The token buckets of one rate-limit rule on this node, one per key, as GCRA (generic cell rate algorithm): a bucket
 * is one {@code AtomicLong}, its theoretical arrival time; a request is admitted when advancing it by one token
 * interval keeps it within {@code burst} intervals of now. The other nodes' admissions are debited by advancing it the
 * same way ({@link #debit}), so every node's bucket drains by the cluster's traffic, not only its own.
 *
 * <p>Data path: {@link #tryAcquire} is one map lookup and two or three atomics; lock-free, allocation-free for a known
 * key. Memory: at most {@code max-keys} buckets; a full bucket (one that would behave exactly like a new one) is
 * removed by {@link #expire}, so expiry changes no decision. Beyond {@code max-keys}, new keys share one overflow
 * bucket until expiry makes room (a flood of new keys is limited as one client, tracked keys keep their own budget).
 */
public final class RateLimiter {
  static final String OVERFLOW_KEY = "\u0001overflow";

  private final RateLimitConfig rule;
  private final long interval;
  private final long capacity;
  private final long maxDeficit;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicInteger tracked = new AtomicInteger();
  private final Bucket overflow;
  private final Queue<Bucket> unpublished = new ConcurrentLinkedQueue<>();
  private final LongAdder admitted = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder overflowed = new LongAdder();

  RateLimiter(RateLimitConfig rule, long nowNanos) {
    this.rule = rule;
    this.interval = rule.intervalNanos();
    this.capacity = interval * rule.burst();
    // How far other nodes' admissions may push a bucket into debt: far beyond what a sane cluster produces (16 bursts
    // plus one period), only there so that a wild publication cannot lock a key out for long.
    this.maxDeficit = 16 * capacity + rule.period().toNanos();
    this.overflow = new Bucket(OVERFLOW_KEY, nowNanos);
  }

  public RateLimitConfig rule() {
    return rule;
  }

  /**
   * Takes one token for {@code key}. Returns the tokens left (0 or more) when admitted, or minus the nanoseconds until
   * a token is available (always negative) when refused.
   */
  public long tryAcquire(String key, long now) {
    Bucket b = bucket(key, now, true);
    while (true) {
      long tat = b.tat.get();
      long next = Math.max(tat, now) + interval;
      long ahead = next - now;
      if (ahead > capacity) {
        refused.increment();
        return -(ahead - capacity);
      }
      if (b.tat.compareAndSet(tat, next)) {
        admitted.increment();
        if (b.pending.getAndIncrement() == 0) {
          unpublished.add(b);
        }
        return (capacity - ahead) / interval;
      }
    }
  }

  /** Nanoseconds until {@code key}'s bucket is full again (0 when it is). */
  public long nanosUntilFull(String key, long now) {
    Bucket b = buckets.get(key);
    return b == null ? 0 : Math.max(0, b.tat.get() - now);
  }

  /**
   * The tokens {@code key}'s bucket holds at {@code now} ({@code burst} when the key is not tracked: its first request
   * would get a full bucket, unless {@code max-keys} is reached). Read-only.
   */
  public long tokens(String key, long now) {
    Bucket b = buckets.get(key);
    long ahead = b == null ? 0 : Math.max(0, b.tat.get() - now);
    return Math.max(0, (capacity - ahead) / interval);
  }

  /** Whether {@code key} has its own bucket on this node now. */
  public boolean tracks(String key) {
    return buckets.containsKey(key);
  }

  /** Takes {@code count} tokens that another node handed out for {@code key}. */
  void debit(String key, long count, long now) {
    Bucket b = bucket(key, now, false);
    if (b == null) {
      return;
    }
    while (true) {
      long tat = b.tat.get();
      long next = Math.min(Math.max(tat, now) + count * interval, now + capacity + maxDeficit);
      if (b.tat.compareAndSet(tat, next)) {
        return;
      }
    }
  }

  /** This node's admissions since the previous call, by key; resets them. */
  void drainAdmissions(java.util.function.BiConsumer<String, Long> out) {
    for (Bucket b = unpublished.poll(); b != null; b = unpublished.poll()) {
      long n = b.pending.getAndSet(0);
      if (n > 0) {
        out.accept(b.key, n);
      }
    }
  }

  /** Removes buckets that are full again: a new bucket would decide exactly as they would. */
  void expire(long now) {
    buckets.values().removeIf(b -> {
      boolean full = b.tat.get() <= now && b.pending.get() == 0;
      if (full) {
        tracked.decrementAndGet();
      }
      return full;
    });
  }

  /** Keys tracked now (the overflow bucket not counted). */
  public int trackedKeys() {
    return tracked.get();
  }

  public long admitted() {
    return admitted.sum();
  }

  public long refused() {
    return refused.sum();
  }

  /** Requests of new keys that found {@code max-keys} reached and shared the overflow bucket. */
  public long overflowed() {
    return overflowed.sum();
  }

  private Bucket bucket(String key, long now, boolean local) {
    if (OVERFLOW_KEY.equals(key)) {
      return overflow;
    }
    Bucket b = buckets.get(key);
    if (b != null) {
      return b;
    }
    if (tracked.get() >= rule.maxKeys()) {
      if (local) {
        overflowed.increment();
      }
      return local ? overflow : null;
    }
    Bucket fresh = new Bucket(key, now);
    Bucket won = buckets.putIfAbsent(key, fresh);
    if (won != null) {
      return won;
    }
    tracked.incrementAndGet();
    return fresh;
  }

  private static final class Bucket {
    final String key;
    /** Theoretical arrival time: the bucket is full when it is at or before now. */
    final AtomicLong tat;
    /** Admissions not yet published to the other nodes. */
    final AtomicLong pending = new AtomicLong();

    Bucket(String key, long now) {
      this.key = key;
      this.tat = new AtomicLong(now);
    }
  }
}
