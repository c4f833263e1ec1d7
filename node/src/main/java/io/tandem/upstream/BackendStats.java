package io.tandem.upstream;

import io.tandem.util.Outcome;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live, mutable counters of one backend on this node. Unlike {@link Backend} it survives snapshot swaps: the
 * {@link UpstreamRegistry} keeps one per pool and backend id. Lock-free; safe from any event loop.
 */
public final class BackendStats {
  private final AtomicInteger active = new AtomicInteger();
  private final LongAdder[] outcomes = new LongAdder[Outcome.values().length];
  private final LatencyHistogram latency = new LatencyHistogram();

  public BackendStats() {
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new LongAdder();
    }
  }

  /** Requests (L7) or connections (L4) in flight to this backend from this node. */
  public int active() {
    return active.get();
  }

  /**
   * Takes one slot if fewer than {@code max} are in use ({@code max <= 0}: unlimited).
   *
   * @param othersActive in-flight count of the other cluster nodes, added to ours against the limit
   */
  public boolean tryAcquire(int max, int othersActive) {
    if (max <= 0) {
      active.incrementAndGet();
      return true;
    }
    while (true) {
      int n = active.get();
      if (n + othersActive >= max) {
        return false;
      }
      if (active.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  public void release() {
    active.decrementAndGet();
  }

  public void record(Outcome outcome) {
    outcomes[outcome.ordinal()].increment();
  }

  public long count(Outcome outcome) {
    return outcomes[outcome.ordinal()].sum();
  }

  /** Durations of the requests whose last attempt went to this backend, as their clients saw them. */
  public LatencyHistogram latency() {
    return latency;
  }
}
