package io.tandem.upstream;

import io.tandem.balancing.LoadBalancer;
import io.tandem.balancing.LoadView;
import io.tandem.config.Algorithm;
import java.util.List;

/** The balancer a pool's {@link Algorithm} names, over its eligible backends. */
public final class Balancers {
  /** Only this node's counters; right for a single node and for unit tests. */
  public static final LoadView<Backend> LOCAL = b -> b.stats().active();

  private Balancers() {}

  /** The balancer for {@code algorithm}; {@code load} feeds the load-aware ones. */
  public static LoadBalancer<Backend> create(Algorithm algorithm, List<Backend> eligible, LoadView<Backend> load) {
    return switch (algorithm) {
      case ROUND_ROBIN -> LoadBalancer.roundRobin(eligible);
      case LEAST_CONNECTIONS -> LoadBalancer.leastConnections(eligible, load);
      case RANDOM_TWO_CHOICES -> LoadBalancer.randomTwoChoices(eligible, load);
      case SOURCE_HASH, CONSISTENT_HASH -> LoadBalancer.consistentHash(eligible);
    };
  }
}
