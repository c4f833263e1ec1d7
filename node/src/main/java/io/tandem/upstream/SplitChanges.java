package io.tandem.upstream;

import io.tandem.cluster.BackendChange;
import io.tandem.config.ListenerConfig;
import io.tandem.config.RouteConfig;
import io.tandem.config.TandemConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Operators' weights for split routes, kept as runtime changes ({@link BackendChange#splitWeights}) so that every
 * node applies them like a drain, across reloads and whole-cluster restarts: the check a change must pass, and the
 * weights in force per route.
 */
final class SplitChanges {
  static final int MAX_WEIGHT = 1_000_000;

  private SplitChanges() {}

  /**
   * The change setting {@code weights} (by pool; pools left out keep theirs) on the split route labelled
   * {@code route}.
   *
   * @throws UnknownBackendException  for an unknown listener or route, or a route that does not split
   * @throws InvalidBackendException for a pool not in the split, a weight out of range, or weights that would leave
   *                                 no pool taking requests
   */
  static BackendChange checked(TandemConfig config, RoutingSnapshot snapshot, String listener, String route,
      Map<String, Integer> weights) {
    RouteConfig r = route(config, listener, route);
    Map<String, Integer> after = new HashMap<>();
    snapshot.router(listener).splitOf(route).forEach(t -> after.put(t.pool(), t.weight()));
    weights.forEach((pool, w) -> {
      if (r.split().stream().noneMatch(t -> t.pool().equals(pool))) {
        throw new InvalidBackendException("weights", "route " + route + " does not split to pool \"" + pool
            + "\"; its pools: " + r.split().stream().map(RouteConfig.SplitTarget::pool).toList());
      }
      if (w == null || w < 0 || w > MAX_WEIGHT) {
        throw new InvalidBackendException("weights", "the weight of " + pool + " must be 0 to " + MAX_WEIGHT
            + ", got " + w);
      }
      after.put(pool, w);
    });
    if (weights.isEmpty()) {
      throw new InvalidBackendException("weights", "name at least one pool and its weight");
    }
    if (after.values().stream().allMatch(w -> w == 0)) {
      throw new InvalidBackendException("weights", "every weight would be 0: at least one pool must take requests");
    }
    return BackendChange.splitWeights(listener, route, weights);
  }

  /** The split route labelled {@code route} on {@code listener} (see {@link Router#label(RouteConfig, int)}). */
  static RouteConfig route(TandemConfig config, String listener, String route) {
    ListenerConfig l = config.listeners().stream().filter(x -> x.name().equals(listener)).findFirst()
        .orElseThrow(() -> new UnknownBackendException("no listener \"" + listener + "\""));
    for (int i = 0; i < l.routes().size(); i++) {
      RouteConfig r = l.routes().get(i);
      if (Router.label(r, i).equals(route)) {
        if (r.split().isEmpty()) {
          throw new UnknownBackendException("route " + route + " of listener " + listener + " does not split");
        }
        return r;
      }
    }
    throw new UnknownBackendException("listener " + listener + " has no route \"" + route + "\"");
  }

  /** The operators' weights for {@code listener}'s split routes, by route label, from the runtime changes. */
  static Map<String, Map<String, Integer>> byRoute(Map<String, BackendChange> changes, String listener) {
    Map<String, Map<String, Integer>> out = new HashMap<>();
    String pool = BackendChange.SPLIT + listener;
    for (BackendChange c : changes.values()) {
      if (c.splitsTraffic() && c.pool().equals(pool)) {
        out.put(c.backendId(), c.split());
      }
    }
    return out;
  }
}
