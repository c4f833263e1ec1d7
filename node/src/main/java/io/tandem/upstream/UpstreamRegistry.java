package io.tandem.upstream;

import io.tandem.cluster.BackendConflictException;
import io.tandem.cluster.AdminState;
import io.tandem.balancing.LoadView;
import io.tandem.cluster.BackendChange;
import io.tandem.cluster.SharedState;
import io.tandem.config.BackendConfig;
import io.tandem.config.HealthConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.TandemConfig;
import io.tandem.health.PassiveDetector;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The control plane's owner of the {@link RoutingSnapshot}. It combines configuration, operators' runtime changes
 * (admin state, weight, added and removed backends: {@link #effectivePools()}), shared health verdicts and passive
 * ejections into a new immutable snapshot and swaps it in; the data plane only ever calls {@link #snapshot()}. Rebuild requests from any thread are coalesced and run on the control executor.
 */
public final class UpstreamRegistry {
  private static final Logger LOG = LogManager.getLogger(UpstreamRegistry.class);

  private final SharedState shared;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Executor control;
  private final LoadView<Backend> load;
  private final Map<String, BackendStats> stats = new ConcurrentHashMap<>();
  private final Map<String, PoolQueue> queues = new ConcurrentHashMap<>();
  private final Map<String, PassiveDetector> passives = new ConcurrentHashMap<>();
  private final Map<String, HealthConfig.Passive> passiveConfigs = new ConcurrentHashMap<>();
  private final AtomicBoolean rebuildPending = new AtomicBoolean();
  private final List<java.util.function.Consumer<List<PoolConfig>>> poolListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final SnapshotBuilder.Inputs inputs = new SnapshotBuilder.Inputs() {
    @Override
    public BackendStats stats(String pool, String backendId) {
      return stats.computeIfAbsent(key(pool, backendId), k -> new BackendStats());
    }

    @Override
    public PoolQueue queue(String pool) {
      return queues.get(pool);
    }

    @Override
    public PassiveDetector passive(String pool) {
      return passives.get(pool);
    }

    @Override
    public boolean servesTraffic(String pool, String backendId) {
      return shared.health().verdict(pool, backendId).servesTraffic();
    }

    @Override
    public LoadView<Backend> load() {
      return load;
    }
  };
  private volatile TandemConfig config;
  private volatile RoutingSnapshot snapshot;
  private volatile List<PoolConfig> effective = List.of();
  private volatile long appliedVersion;
  private long version;

  /**
   * @param control runs rebuilds; one thread at a time (a Vert.x context), never a data-plane handler inline
   */
  public UpstreamRegistry(SharedState shared, Clock clock, Scheduler scheduler, Executor control) {
    this.shared = shared;
    this.clock = clock;
    this.scheduler = scheduler;
    this.control = control;
    this.load = b -> b.stats().active() + shared.connections().othersActive(b.pool(), b.id());
    shared.health().addListener((pool, backend, verdict) -> requestRebuild());
    shared.runtime().addListener(changes -> requestRebuild());
  }

  /** The snapshot in force. Data plane: one volatile read. */
  public RoutingSnapshot snapshot() {
    return snapshot;
  }

  public TandemConfig config() {
    return config;
  }

  /** The shared state this registry follows (health detail, counts, membership for the admin API). */
  public SharedState shared() {
    return shared;
  }

  /** In-flight requests of the other cluster nodes to {@code b}, from their latest publication (0 alone). */
  public int othersActive(Backend b) {
    return shared.connections().othersActive(b.pool(), b.id());
  }

  /**
   * Offers the slots that other nodes freed to this node's queued requests: those reach this node only through the
   * others' published counts. Scheduled by the node while it is in a cluster.
   */
  public void recheckQueues() {
    RoutingSnapshot current = snapshot;
    if (current != null) {
      current.pools().values().forEach(p -> {
        if (!p.queue().isEmpty()) {
          p.queue().recheck(p.backends(), this::othersActive);
        }
      });
    }
  }

  /**
   * Takes a connection slot on {@code b} if its {@code max-connections} allows, counting the other nodes' connections
   * too (cluster-wide limit). Data plane: lock-free.
   */
  public boolean tryAcquire(Backend b) {
    return b.stats().tryAcquire(b.maxConnections(), othersActive(b));
  }

  /** This node's in-flight count per {@code pool/backendId}, for publication to the other nodes. */
  public Map<String, Integer> localCounts() {
    Map<String, Integer> counts = new HashMap<>();
    stats.forEach((key, st) -> {
      int n = st.active();
      if (n > 0) {
        counts.put(key.replace('\u0000', '/'), n);
      }
    });
    return counts;
  }

  public LoadView<Backend> loadView() {
    return load;
  }

  /** Installs a new configuration (start-up or reload) and builds its snapshot at once. */
  public synchronized void apply(TandemConfig newConfig) {
    this.config = newConfig;
    Set<String> livePools = new HashSet<>();
    for (PoolConfig pool : newConfig.pools()) {
      livePools.add(pool.name());
      queues.computeIfAbsent(pool.name(), n -> new PoolQueue(pool.queue().maxSize()))
          .maxSize(pool.queue().maxSize());
      HealthConfig.Passive passive = pool.health() == null ? null : pool.health().passive();
      if (passive == null) {
        passives.remove(pool.name());
        passiveConfigs.remove(pool.name());
      } else if (!passive.equals(passiveConfigs.get(pool.name()))) {
        String name = pool.name();
        int size = pool.backends().size();
        PassiveDetector oldDetector = passives.put(name,
            new PassiveDetector(name, passive, () -> poolSize(name, size), clock, scheduler, this::requestRebuild));
        if (oldDetector != null) {
          oldDetector.close();
        }
        passiveConfigs.put(pool.name(), passive);
      }
    }
    queues.keySet().retainAll(livePools);
    passives.entrySet().removeIf(e -> {
      boolean gone = !livePools.contains(e.getKey());
      if (gone) {
        e.getValue().close();
      }
      return gone;
    });
    passiveConfigs.keySet().retainAll(livePools);
    stats.keySet().removeIf(key -> !livePools.contains(key.substring(0, key.indexOf('\u0000'))));
    rebuild();
  }

  /** Asks for a rebuild from any thread (health verdict, ejection, admin change); coalesced. */
  public void requestRebuild() {
    if (rebuildPending.compareAndSet(false, true)) {
      control.execute(() -> {
        rebuildPending.set(false);
        rebuild();
      });
    }
  }

  /**
   * Sets an operator's admin state for a backend through the shared runtime state (so every node applies it);
   * completes with the change's version, or fails with {@link UnknownBackendException} (nothing applied).
   */
  public java.util.concurrent.CompletionStage<Long> adminState(String pool, String backendId, AdminState state) {
    return checkedApply(() -> changes().state(pool, backendId, state));
  }

  /**
   * Sets an operator's weight (1..256) for a backend cluster-wide; completes with the change's version, or fails with
   * {@link UnknownBackendException} or {@link InvalidBackendException} (nothing applied).
   */
  public java.util.concurrent.CompletionStage<Long> weight(String pool, String backendId, int weight) {
    return checkedApply(() -> changes().weight(pool, backendId, weight));
  }

  /**
   * Adds a backend to a pool cluster-wide (kept across reloads and whole-cluster restarts through the runtime state);
   * completes with the change's version. It fails, with nothing applied, with {@link UnknownBackendException} for an
   * unknown pool, {@link InvalidBackendException} for a field out of the configuration file's ranges and
   * {@link BackendConflictException} when the pool already has that id (see {@link #checkAdd}).
   */
  public java.util.concurrent.CompletionStage<Long> addBackend(String pool, BackendConfig backend) {
    return checkedApply(() -> changes().add(pool, backend));
  }

  /**
   * Removes a backend from a pool cluster-wide; completes with the change's version. A configured backend stays
   * removed across reloads until it is added again. Fails, with nothing applied, with {@link UnknownBackendException}
   * for an unknown pool or backend and {@link BackendConflictException} for the pool's last backend.
   */
  public java.util.concurrent.CompletionStage<Long> removeBackend(String pool, String backendId) {
    return checkedApply(() -> changes().remove(pool, backendId));
  }

  /**
   * Checks a backend to add against the pools in force (for callers that answer before applying); answers it with
   * its host normalized.
   *
   * @throws UnknownBackendException  the pool does not exist
   * @throws InvalidBackendException  a field is out of range
   * @throws BackendConflictException the pool already has a backend with that id
   */
  public BackendConfig checkAdd(String pool, BackendConfig backend) {
    return changes().checkAdd(pool, backend);
  }


  /**
   * Checks that a backend may be removed.
   *
   * @throws UnknownBackendException  the pool or the backend does not exist
   * @throws BackendConflictException it is the pool's last backend, or it was discovered in DNS
   */
  public void checkRemove(String pool, String backendId) {
    changes().checkRemove(pool, backendId);
  }

  /** The checks of operators' changes, against the pools and the snapshot in force now. */
  private AdminChanges changes() {
    return new AdminChanges(effective, snapshot);
  }


  /**
   * The pools in force: the configuration's, with backends added at runtime merged in and removed ones left out (see
   * {@link RuntimeBackends}). Health checking and anything else keyed by backend must follow this list, not the
   * configuration's.
   */
  public List<PoolConfig> effectivePools() {
    return effective;
  }

  /**
   * Registers a listener called with {@link #effectivePools()} whenever it changes (reload or runtime add/remove),
   * on the control executor, before {@link #appliedVersion()} reports the change.
   */
  public void addPoolsListener(java.util.function.Consumer<List<PoolConfig>> listener) {
    poolListeners.add(listener);
  }

  /** The runtime-state version the snapshot in force was built from: a change is applied here once this reaches it. */
  public long appliedVersion() {
    return appliedVersion;
  }

  /**
   * Sets the weights of a split route's pools cluster-wide ({@code weights} by pool; pools left out keep theirs);
   * completes with the change's version, or fails, with nothing applied, with {@link UnknownBackendException} for an
   * unknown listener or route or a route that does not split, and {@link InvalidBackendException} for a pool not in
   * the split or weights that would leave no pool taking requests.
   */
  public java.util.concurrent.CompletionStage<Long> splitWeights(String listener, String route,
      Map<String, Integer> weights) {
    return checkedApply(() -> SplitChanges.checked(config(), snapshot(), listener, route, weights));
  }

  private java.util.concurrent.CompletionStage<Long> checkedApply(java.util.function.Supplier<BackendChange> check) {
    BackendChange change;
    try {
      change = check.get();
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    return shared.runtime().apply(change);
  }

  private int poolSize(String pool, int configured) {
    RoutingSnapshot s = snapshot;
    PoolSnapshot p = s == null ? null : s.pool(pool);
    return p == null ? configured : p.backends().size();
  }

  /** Builds and swaps a new snapshot from the current inputs. */
  public synchronized void rebuild() {
    TandemConfig cfg = config;
    if (cfg == null) {
      return;
    }
    long runtimeVersion = shared.runtime().version();   // before current(): the changes are at least this new
    SnapshotBuilder.Built built = SnapshotBuilder.build(++version, cfg, shared.runtime().current(), inputs);
    RoutingSnapshot old = snapshot;
    RoutingSnapshot next = built.snapshot();
    snapshot = next;
    List<PoolConfig> effectivePools = built.effectivePools();
    if (!effectivePools.equals(effective)) {
      effective = effectivePools;
      // Backends that left (runtime removes, DNS answers) lose their counters; in-flight requests keep theirs.
      Set<String> live = new HashSet<>();
      effectivePools.forEach(p -> p.backends().forEach(b -> live.add(key(p.name(), b.id()))));
      stats.keySet().retainAll(live);
      for (PoolConfig pool : effectivePools) {
        PassiveDetector d = passives.get(pool.name());
        if (d != null) {
          d.retainOnly(pool.backends().stream().map(BackendConfig::id).toList());
        }
      }
      poolListeners.forEach(l -> l.accept(effectivePools));
    }
    appliedVersion = runtimeVersion;
    logChanges(old, next);
    reportNewEjections(old, next);
  }

  /** A backend this node's traffic just ejected is reported, so that its checker probes it at once. */
  private void reportNewEjections(RoutingSnapshot old, RoutingSnapshot next) {
    for (PoolSnapshot p : next.pools().values()) {
      PoolSnapshot before = old == null ? null : old.pool(p.name());
      for (Backend b : p.backends()) {
        Backend prev = before == null ? null : before.byId().get(b.id());
        if (b.ejected() && (prev == null || !prev.ejected())) {
          shared.health().reportSuspect(p.name(), b.id());
        }
      }
    }
  }

  private static void logChanges(RoutingSnapshot old, RoutingSnapshot next) {
    for (PoolSnapshot p : next.pools().values()) {
      PoolSnapshot before = old == null ? null : old.pool(p.name());
      for (Backend b : p.backends()) {
        Backend prev = before == null ? null : before.byId().get(b.id());
        String now = describe(b);
        if (prev == null || !Objects.equals(describe(prev), now)) {
          LOG.info("backend {}/{} {} is {}", p.name(), b.id(), b.hostPort(), now);
        }
      }
      if (before != null) {
        before.backends().stream().filter(b -> !p.byId().containsKey(b.id()))
            .forEach(b -> LOG.info("backend {}/{} {} is removed", p.name(), b.id(), b.hostPort()));
      }
      if (!p.hasEligible()) {
        LOG.warn("pool {} has no eligible backend", p.name());
      }
    }
  }

  private static String describe(Backend b) {
    return (b.healthy() ? "healthy" : "unhealthy") + (b.ejected() ? ", ejected" : "") + ", "
        + b.adminState().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String key(String pool, String id) {
    return pool + '\u0000' + id;
  }
}
