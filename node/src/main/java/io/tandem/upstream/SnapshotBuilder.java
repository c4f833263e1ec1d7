package io.tandem.upstream;

import io.tandem.affinity.CookieTokens;
import io.tandem.balancing.LoadBalancer;
import io.tandem.balancing.LoadView;
import io.tandem.cluster.AdminState;
import io.tandem.cluster.BackendChange;
import io.tandem.cluster.DiscoveredSet;
import io.tandem.config.BackendConfig;
import io.tandem.config.ListenerConfig;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.TandemConfig;
import io.tandem.health.PassiveDetector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link RoutingSnapshot} from its inputs and nothing else: the configuration, the runtime changes in force
 * (operators' states, weights, adds, removes, split weights, discovered sets), the health verdicts and this node's
 * passive ejections. No clock, no I/O, no logging: the same inputs give the same snapshot.
 */
final class SnapshotBuilder {
  private SnapshotBuilder() {}

  /** What a build reads besides the configuration and the changes. */
  interface Inputs {
    /** The live counters of a backend (made on first use, shared by every snapshot). */
    BackendStats stats(String pool, String backendId);

    /** The pool's wait queue. */
    PoolQueue queue(String pool);

    /** The pool's passive detector, or null without passive checks. */
    PassiveDetector passive(String pool);

    /** Whether the cluster's health verdict lets the backend serve. */
    boolean servesTraffic(String pool, String backendId);

    /** How loaded a backend is, for the load-aware algorithms. */
    LoadView<Backend> load();
  }

  /** A snapshot and the effective pools it was built from. */
  record Built(RoutingSnapshot snapshot, List<PoolConfig> effectivePools) {}

  static Built build(long version, TandemConfig cfg, Map<String, BackendChange> changes, Inputs in) {
    List<PoolConfig> effectivePools = RuntimeBackends.effective(cfg.pools(), changes);
    Map<String, PoolSnapshot> pools = new LinkedHashMap<>();
    for (PoolConfig pool : effectivePools) {
      Set<String> configured = new HashSet<>();
      cfg.pool(pool.name()).ifPresent(p -> p.backends().forEach(b -> configured.add(b.id())));
      pools.put(pool.name(), pool(pool, changes, configured, in));
    }
    Map<String, Router> routers = new HashMap<>();
    for (ListenerConfig l : cfg.listeners()) {
      routers.put(l.name(), new Router(l, SplitChanges.byRoute(changes, l.name())));
    }
    return new Built(new RoutingSnapshot(version, cfg, Map.copyOf(pools), Map.copyOf(routers)), effectivePools);
  }

  /** @param configured ids of the backends the configuration file gives the pool */
  private static PoolSnapshot pool(PoolConfig pool, Map<String, BackendChange> changes, Set<String> configured,
      Inputs in) {
    PassiveDetector passive = in.passive(pool.name());
    PersistenceConfig.Cookie cookie = pool.persistence() == null ? null : pool.persistence().cookie();
    String secret = cookie == null ? null : cookie.secret();
    List<Backend> all = new ArrayList<>();
    List<Backend> eligible = new ArrayList<>();
    Map<String, Backend> byId = new HashMap<>();
    Map<String, Backend> byToken = new HashMap<>();
    Map<String, DiscoveredSet.Endpoint> found = RuntimeBackends.discovered(pool, changes);
    int preferred = Integer.MAX_VALUE;
    for (BackendConfig bc : pool.backends()) {
      BackendChange change = changes.get(pool.name() + "/" + bc.id());
      boolean healthy = in.servesTraffic(pool.name(), bc.id());
      boolean ejected = passive != null && passive.isEjected(bc.id());
      AdminState admin = change != null && change.state() != null ? change.state() : AdminState.ENABLED;
      int weight = change != null && change.weight() != null ? change.weight() : bc.weight();
      String token = CookieTokens.token(pool.name(), bc.id(), secret);
      DiscoveredSet.Endpoint dns = (change != null && change.addsBackend()) || configured.contains(bc.id()) ? null
          : found.get(bc.id());
      Backend.Source source = change != null && change.addsBackend() ? Backend.Source.RUNTIME
          : dns != null ? Backend.Source.DISCOVERED : Backend.Source.CONFIG;
      if (dns != null && dns.leaving() && admin == AdminState.ENABLED) {
        admin = AdminState.DRAINING;   // left the DNS answer: keeps its sessions for the grace, takes no new ones
      }
      Backend b = new Backend(pool.name(), bc.id(), bc.host(), bc.port(), weight, bc.maxConnections(), token,
          in.stats(pool.name(), bc.id()), healthy, ejected, admin, source);
      all.add(b);
      byId.put(b.id(), b);
      byToken.put(token, b);
      if (b.eligible()) {
        int priority = dns == null ? 0 : dns.priority();
        if (priority < preferred) {
          preferred = priority;
          eligible.clear();
        }
        if (priority == preferred) {
          eligible.add(b);
        }
      }
    }
    // SRV priorities: new sessions go to the lowest priority that has an eligible backend (the others are backups).
    LoadBalancer<Backend> balancer = Balancers.create(pool.algorithm(), eligible, in.load());
    return new PoolSnapshot(pool, List.copyOf(all), Map.copyOf(byId), Map.copyOf(byToken), balancer,
        in.queue(pool.name()), passive);
  }
}
