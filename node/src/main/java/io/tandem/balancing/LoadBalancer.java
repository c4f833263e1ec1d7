package io.tandem.balancing;

import java.util.List;

/**
 * Picks a backend for one request (L7) or connection (L4) from a fixed list of eligible backends.
 *
 * <p>An instance is immutable in its candidates: when health, weights or admin state change, the control plane builds
 * a new balancer from the new eligible list and swaps the whole routing snapshot (see
 * {@code io.tandem.upstream.UpstreamRegistry}). {@link #pick} runs on event loops, concurrently from several threads:
 * it never blocks, never takes a lock and never throws; per-pick state lives in the {@link PickContext}.
 *
 * <p>Every algorithm honours weights and skips the context's excluded backends, returning {@code null} only when no
 * candidate is left. Example:
 *
 * <pre>{@code
 * LoadBalancer<Backend> lb = LoadBalancer.leastConnections(eligible, b -> b.stats().active());
 * PickContext ctx = PickContext.create();
 * Backend first = lb.pick(ctx);       // fewest connections per weight
 * ctx.exclude(first);                  // connect failed: try another
 * Backend second = lb.pick(ctx);
 * }</pre>
 */
public interface LoadBalancer<B extends Candidate> {

  /** The backend for this request, or {@code null} when every candidate is excluded or there are none. */
  B pick(PickContext ctx);

  /** The candidates this balancer was built from, in the order given. */
  List<B> backends();

  /** Smooth weighted round robin (nginx's): weights 5,1,1 give a b a c a a b... rather than a a a a a b c. */
  static <B extends Candidate> LoadBalancer<B> roundRobin(List<B> eligible) {
    return new RoundRobinBalancer<>(eligible);
  }

  /** Fewest active connections per unit of weight; ties go round robin. */
  static <B extends Candidate> LoadBalancer<B> leastConnections(List<B> eligible, LoadView<? super B> load) {
    return new LeastConnectionsBalancer<>(eligible, load);
  }

  /** Two weighted random candidates, the one with fewer connections per weight wins. */
  static <B extends Candidate> LoadBalancer<B> randomTwoChoices(List<B> eligible, LoadView<? super B> load) {
    return new RandomTwoChoicesBalancer<>(eligible, load);
  }

  /**
   * Consistent hash of {@link PickContext#hash()}: when one of N backends leaves, only about 1/N of keys move; an
   * excluded backend's keys go to the next backend on the ring.
   */
  static <B extends Candidate> LoadBalancer<B> consistentHash(List<B> eligible) {
    return new ConsistentHashBalancer<>(eligible);
  }
}
