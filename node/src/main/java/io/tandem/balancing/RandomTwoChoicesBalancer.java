package io.tandem.balancing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: two distinct weighted random draws, the one with fewer connections per weight wins (the first
 * on ties, which keeps the plain weighted distribution when load is even). When draws land on excluded backends it
 * falls back to a least-connections scan from a random start.
 */
final class RandomTwoChoicesBalancer<B extends Candidate> implements LoadBalancer<B> {
  private final List<B> list;
  private final B[] backends;
  private final int[] weights;
  /** {@code ends[i]} is the sum of weights 0..i: backend i owns draws in {@code [ends[i] - weights[i], ends[i])}. */
  private final long[] ends;
  private final long total;
  private final LoadView<? super B> load;

  RandomTwoChoicesBalancer(List<B> backends, LoadView<? super B> load) {
    this.list = List.copyOf(backends);
    this.backends = Candidates.toArray(list);
    this.weights = Candidates.weights(this.backends);
    this.ends = new long[weights.length];
    long sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      ends[i] = sum;
    }
    this.total = sum;
    this.load = load;
  }

  @Override
  public B pick(PickContext ctx) {
    int n = backends.length;
    if (n == 0) {
      return null;
    }
    if (n == 1) {
      return ctx.excludedCount() > 0 && ctx.isExcluded(backends[0]) ? null : backends[0];
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int i = owner(random.nextLong(total));
    int j = owner(skip(random.nextLong(total - weights[i]), i));
    B a = backends[i];
    B b = backends[j];
    boolean checkExcluded = ctx.excludedCount() > 0;
    boolean aOk = !checkExcluded || !ctx.isExcluded(a);
    boolean bOk = !checkExcluded || !ctx.isExcluded(b);
    if (aOk && bOk) {
      long loadA = Math.max(0, load.activeConnections(a));
      long loadB = Math.max(0, load.activeConnections(b));
      return Candidates.lighter(loadB, weights[j], loadA, weights[i]) ? b : a;
    }
    if (aOk) {
      return a;
    }
    if (bOk) {
      return b;
    }
    return LeastConnectionsBalancer.leastLoaded(backends, weights, load, ctx, random.nextInt(n));
  }

  @Override
  public List<B> backends() {
    return list;
  }

  /** Maps a draw over every weight but backend {@code i}'s to a draw over all weights that never lands on {@code i}. */
  private long skip(long draw, int i) {
    return draw >= ends[i] - weights[i] ? draw + weights[i] : draw;
  }

  /** The backend whose range holds {@code draw}: the first {@code i} with {@code ends[i] > draw}. */
  private int owner(long draw) {
    int lo = 0;
    int hi = ends.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ends[mid] > draw) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
