package io.tandem.balancing;

import io.tandem.upstream.Backend;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fewest active connections per unit of weight. The scan starts at a rotating index and keeps the first of equals, so
 * backends that tie (an idle pool, typically) take turns instead of the first one getting everything.
 */
final class LeastConnectionsBalancer implements LoadBalancer {
  private final List<Backend> list;
  private final Backend[] backends;
  private final int[] weights;
  private final LoadView load;
  private final AtomicInteger start = new AtomicInteger();

  LeastConnectionsBalancer(List<Backend> backends, LoadView load) {
    this.list = List.copyOf(backends);
    this.backends = Candidates.toArray(list);
    this.weights = Candidates.weights(this.backends);
    this.load = load;
  }

  @Override
  public Backend pick(PickContext ctx) {
    if (backends.length == 0) {
      return null;
    }
    return leastLoaded(backends, weights, load, ctx, Math.floorMod(start.getAndIncrement(), backends.length));
  }

  @Override
  public List<Backend> backends() {
    return list;
  }

  /** The non-excluded backend with the fewest connections per weight, the first met from {@code from} on ties. */
  static Backend leastLoaded(Backend[] backends, int[] weights, LoadView load, PickContext ctx, int from) {
    boolean checkExcluded = ctx.excludedCount() > 0;
    Backend best = null;
    long bestLoad = 0;
    int bestWeight = 1;
    int n = backends.length;
    for (int k = 0; k < n; k++) {
      int i = from + k >= n ? from + k - n : from + k;
      Backend b = backends[i];
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
