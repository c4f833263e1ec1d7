package io.tandem.balancing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fewest active connections per unit of weight. The scan starts at a rotating index and keeps the first of equals, so
 * backends that tie (an idle pool, typically) take turns instead of the first one getting everything.
 */
final class LeastConnectionsBalancer<B extends Candidate> implements LoadBalancer<B> {
  private final List<B> list;
  private final B[] backends;
  private final int[] weights;
  private final LoadView<? super B> load;
  private final AtomicInteger start = new AtomicInteger();

  LeastConnectionsBalancer(List<B> backends, LoadView<? super B> load) {
    this.list = List.copyOf(backends);
    this.backends = Candidates.toArray(list);
    this.weights = Candidates.weights(this.backends);
    this.load = load;
  }

  @Override
  public B pick(PickContext ctx) {
    if (backends.length == 0) {
      return null;
    }
    return leastLoaded(backends, weights, load, ctx, Math.floorMod(start.getAndIncrement(), backends.length));
  }

  @Override
  public List<B> backends() {
    return list;
  }

  /** The non-excluded backend with the fewest connections per weight, the first met from {@code from} on ties. */
  static <B extends Candidate> B leastLoaded(B[] backends, int[] weights, LoadView<? super B> load, PickContext ctx,
      int from) {
    boolean checkExcluded = ctx.excludedCount() > 0;
    B best = null;
    long bestLoad = 0;
    int bestWeight = 1;
    int n = backends.length;
    for (int k = 0; k < n; k++) {
      int i = from + k >= n ? from + k - n : from + k;
      B b = backends[i];
      if (checkExcluded && ctx.isExcluded(b)) {
        continue;
      }
      long active = Math.max(0, load.activeConnections(b));
      if (best == null || Candidates.lighter(active, weights[i], bestLoad, bestWeight)) {
        best = b;
        bestLoad = active;
        bestWeight = weights[i];
      }
    }
    return best;
  }
}
