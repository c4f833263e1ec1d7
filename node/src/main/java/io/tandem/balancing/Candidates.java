package io.tandem.balancing;

import java.util.List;

/** Helpers the algorithms share: candidate arrays, weights and the exclusion check. */
final class Candidates {
  private Candidates() {}

  /** The candidates as an array of their own type (an erased {@code Candidate[]} underneath: never exposed). */
  @SuppressWarnings("unchecked")
  static <B extends Candidate> B[] toArray(List<B> backends) {
    return (B[]) backends.toArray(new Candidate[0]);
  }

  /** Weights as configured (1..256); anything below 1 counts as 1 so that every candidate stays reachable. */
  static int[] weights(Candidate[] backends) {
    int[] weights = new int[backends.length];
    for (int i = 0; i < backends.length; i++) {
      weights[i] = Math.max(1, backends[i].weight());
    }
    return weights;
  }

  /** Divides every weight by their greatest common divisor: 100,50 becomes 2,1. */
  static int[] normalized(int[] weights) {
    int gcd = 0;
    for (int w : weights) {
      gcd = gcd(gcd, w);
    }
    int[] result = weights.clone();
    for (int i = 0; i < result.length; i++) {
      result[i] /= Math.max(1, gcd);
    }
    return result;
  }

  /**
   * Scales weights down proportionally when their sum exceeds {@code max}, to bound precomputed tables. Every backend
   * keeps at least 1, so the sum may end up at most {@code weights.length} above {@code max}.
   */
  static int[] fitted(int[] weights, int max) {
    long total = sum(weights);
    if (total <= max) {
      return weights;
    }
    int[] scaled = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      scaled[i] = (int) Math.max(1, weights[i] * (long) max / total);
    }
    return scaled;
  }

  static long sum(int[] weights) {
    long sum = 0;
    for (int w : weights) {
      sum += w;
    }
    return sum;
  }

  static boolean allExcluded(Candidate[] backends, PickContext ctx) {
    if (ctx.excludedCount() == 0) {
      return backends.length == 0;
    }
    for (Candidate b : backends) {
      if (!ctx.isExcluded(b)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code loadA / weightA < loadB / weightB}, without division. */
  static boolean lighter(long loadA, int weightA, long loadB, int weightB) {
    return loadA * weightB < loadB * weightA;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
