package io.tandem.balancing;

import io.tandem.util.Hashing;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A hash ring (ketama style). Each backend gets {@link #POINTS_PER_WEIGHT} points per unit of GCD-normalized weight,
 * placed by hashing its id only, and ties are broken by id: every node that builds a ring from the same backends gets
 * the same ring, whatever their order. A key belongs to the first point at or after its hash, wrapping around; an
 * excluded backend's keys go to the next backend clockwise, exactly where they would go if it left the ring.
 * Only the leaver's keys move as long as the weights' GCD and the cap leave the points per unit of weight unchanged
 * (always so with equal weights and small pools); otherwise the other backends gain or lose a few points too.
 */
final class ConsistentHashBalancer<B extends Candidate> implements LoadBalancer<B> {
  static final int POINTS_PER_WEIGHT = 256;
  /** Ring size cap (give or take one point per backend); above it each unit of weight gets fewer points. */
  static final int MAX_POINTS = 1 << 16;
  private static final long GOLDEN = 0x9e3779b97f4a7c15L;

  private final List<B> list;
  private final B[] backends;
  private final long[] hashes;
  private final int[] owners;
  /** For each point, the next point clockwise that belongs to another backend: skips an excluded backend's run. */
  private final int[] nextOther;

  private record Point(long hash, int owner, String id) {}

  ConsistentHashBalancer(List<B> backends) {
    this.list = List.copyOf(backends);
    this.backends = Candidates.toArray(list);
    int[] weights = Candidates.fitted(Candidates.normalized(Candidates.weights(this.backends)), MAX_POINTS);
    long perWeight = Math.max(1, Math.min(POINTS_PER_WEIGHT, MAX_POINTS / Math.max(1, Candidates.sum(weights))));
    Point[] points = new Point[(int) (perWeight * Candidates.sum(weights))];
    int p = 0;
    for (int i = 0; i < this.backends.length; i++) {
      String id = this.backends[i].id();
      long base = Hashing.hash(id);
      for (long k = 0; k < perWeight * weights[i]; k++) {
        points[p++] = new Point(Hashing.mix(base + k * GOLDEN), i, id);
      }
    }
    Arrays.sort(points, Comparator.comparingLong(Point::hash).thenComparing(Point::id));
    this.hashes = new long[points.length];
    this.owners = new int[points.length];
    for (int i = 0; i < points.length; i++) {
      hashes[i] = points[i].hash();
      owners[i] = points[i].owner();
    }
    this.nextOther = nextOther(owners);
  }

  @Override
  public B pick(PickContext ctx) {
    if (hashes.length == 0) {
      return null;
    }
    int i = Arrays.binarySearch(hashes, ctx.hash());
    if (i < 0) {
      i = -i - 1;
      if (i == hashes.length) {
        i = 0;
      }
    }
    B b = backends[owners[i]];
    if (ctx.excludedCount() == 0 || !ctx.isExcluded(b)) {
      return b;
    }
    if (Candidates.allExcluded(backends, ctx)) {
      return null;
    }
    for (int steps = 0; steps < hashes.length; steps++) {
      i = nextOther[i];
      b = backends[owners[i]];
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

  /** Points on the ring, for tests. */
  int size() {
    return hashes.length;
  }

  private static int[] nextOther(int[] owners) {
    int n = owners.length;
    int[] next = new int[n];
    // Two laps backwards so that the wrap-around is seen; with a single owner the entries stay unused.
    for (int j = 2 * n - 1; j >= 0; j--) {
      int i = j % n;
      int after = i + 1 == n ? 0 : i + 1;
      next[i] = owners[after] != owners[i] ? after : next[after];
    }
    return next;
  }
}
