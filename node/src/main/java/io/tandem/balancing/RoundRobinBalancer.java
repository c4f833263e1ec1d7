package io.tandem.balancing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round robin (nginx's algorithm), precomputed: the constructor runs nginx's "current weight" loop once
 * over a full period (sum of the GCD-normalized weights) and {@link #pick} just indexes that sequence with an atomic
 * counter, so concurrent event loops never share anything else.
 */
final class RoundRobinBalancer<B extends Candidate> implements LoadBalancer<B> {
  /** Longest precomputed period; larger weight sums are scaled down to about it (see {@link Candidates#fitted}). */
  static final int MAX_SEQUENCE = 1 << 16;

  private final List<B> list;
  private final B[] backends;
  private final int[] sequence;
  private final AtomicLong next = new AtomicLong();

  RoundRobinBalancer(List<B> backends) {
    this.list = List.copyOf(backends);
    this.backends = Candidates.toArray(list);
    this.sequence = smoothSequence(
        Candidates.fitted(Candidates.normalized(Candidates.weights(this.backends)), MAX_SEQUENCE));
  }

  @Override
  public B pick(PickContext ctx) {
    int length = sequence.length;
    if (length == 0) {
      return null;
    }
    int start = (int) Math.floorMod(next.getAndIncrement(), (long) length);
    B b = backends[sequence[start]];
    if (ctx.excludedCount() == 0 || !ctx.isExcluded(b)) {
      return b;
    }
    if (Candidates.allExcluded(backends, ctx)) {
      return null;
    }
    // Every backend occurs in the sequence, so one full lap finds a non-excluded one.
    for (int step = 1; step < length; step++) {
      int i = start + step;
      b = backends[sequence[i >= length ? i - length : i]];
      if (!ctx.isExcluded(b)) {
        return b;
      }
    }
    return null;
  }

  @Override
  public List<B> backends() {
    return list;
  }

  /** The period as backend indexes, for tests. */
  int[] sequence() {
    return sequence.clone();
  }

  private static int[] smoothSequence(int[] weights) {
    int total = (int) Candidates.sum(weights);
    int[] sequence = new int[total];
    int[] current = new int[weights.length];
    for (int slot = 0; slot < total; slot++) {
      int best = 0;
      for (int i = 0; i < weights.length; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      sequence[slot] = best;
    }
    return sequence;
  }
}
