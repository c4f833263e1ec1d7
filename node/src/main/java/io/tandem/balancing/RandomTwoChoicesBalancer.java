package io.tandem.balancing;

import io.tandem.upstream.Backend;
import java.util.List;

/** Placeholder, replaced by the real algorithm. */
final class RandomTwoChoicesBalancer implements LoadBalancer {
  private final List<Backend> backends;

  RandomTwoChoicesBalancer(List<Backend> backends, LoadView load) {
    this.backends = List.copyOf(backends);
  }

  @Override
  public Backend pick(PickContext ctx) {
    for (Backend b : backends) {
      if (!ctx.isExcluded(b)) {
        return b;
      }
    }
    return null;
  }

  @Override
  public List<Backend> backends() {
    return backends;
  }
}
