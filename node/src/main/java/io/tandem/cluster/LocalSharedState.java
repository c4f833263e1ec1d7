package io.tandem.cluster;

import io.tandem.affinity.AffinityTable;
import io.tandem.util.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@link SharedState} of a node without peers: everything in this JVM's memory. */
public final class LocalSharedState implements SharedState {
  private final String nodeId;
  private final LocalAffinityTable affinity;
  private final LocalHealthBoard health;
  private final LocalRuntimeState runtime;
  private final Membership membership;
  private volatile String adminAddress;

  public LocalSharedState(String nodeId, Clock clock) {
    this(nodeId, clock, System::currentTimeMillis);
  }

  /** {@code wallMillis} gives the wall-clock times the admin facts carry (tests pass a manual one). */
  LocalSharedState(String nodeId, Clock clock, java.util.function.LongSupplier wallMillis) {
    this.nodeId = nodeId;
    this.affinity = new LocalAffinityTable(clock, wallMillis);
    this.health = new LocalHealthBoard(nodeId, wallMillis);
    this.runtime = new LocalRuntimeState(nodeId);
    long started = wallMillis.getAsLong();
    this.membership = new Membership() {
      @Override
      public List<Member> members() {
        return List.of(new Member(nodeId, "local", true, started));
      }

      @Override
      public String coordinator() {
        return nodeId;
      }

      @Override
      public boolean hasQuorum() {
        return true;
      }

      @Override
      public void addListener(java.util.function.Consumer<List<Member>> listener) {}

      @Override
      public Map<String, MemberInfo> info() {
        return Map.of(nodeId, new MemberInfo(Membership.localVersion(), started, adminAddress));
      }
    };
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public LocalAffinityTable affinity() {
    return affinity;
  }

  /** Drops the affinity bindings idle longer than their timeout. */
  @Override
  public void expireIdle() {
    affinity.expire();
  }

  @Override
  public HealthBoard health() {
    return health;
  }

  @Override
  public ConnectionCounts connections() {
    return (pool, backendId) -> 0;
  }

  @Override
  public RuntimeState runtime() {
    return runtime;
  }

  @Override
  public Membership membership() {
    return membership;
  }

  /**
   * The admin listener's {@code host:port} once it is bound, for {@link Membership#info()} (a single node has no
   * {@code nodes:} entry to take it from).
   */
  public void announceAdmin(String hostPort) {
    this.adminAddress = hostPort;
  }

  @Override
  public void close() {}

  /** Runtime changes of a single node: versioned, in memory. */
  private static final class LocalRuntimeState implements RuntimeState {
    private final String nodeId;
    private final List<java.util.function.Consumer<Map<String, BackendChange>>> listeners =
        new CopyOnWriteArrayList<>();
    private volatile StateFile.State state = StateFile.State.EMPTY;

    LocalRuntimeState(String nodeId) {
      this.nodeId = nodeId;
    }

    @Override
    public CompletionStage<Long> apply(BackendChange change) {
      StateFile.State next;
      synchronized (this) {
        BackendChange earlier = state.changes().get(change.key());
        String conflict = change.conflictWith(earlier);
        if (conflict != null) {
          return CompletableFuture.failedFuture(new io.tandem.cluster.BackendConflictException(conflict));
        }
        long v = state.version() + 1;
        Map<String, BackendChange> changes = new java.util.HashMap<>(state.changes());
        changes.put(change.key(), change.stamped(v, nodeId, System.currentTimeMillis()).over(earlier));
        next = new StateFile.State(v, changes);
        state = next;
        listeners.forEach(l -> l.accept(next.changes()));   // under the lock: heard in version order
      }
      return CompletableFuture.completedFuture(next.version());
    }

    @Override
    public Map<String, BackendChange> current() {
      return state.changes();
    }

    @Override
    public long version() {
      return state.version();
    }

    @Override
    public void addListener(java.util.function.Consumer<Map<String, BackendChange>> listener) {
      listeners.add(listener);
    }
  }

  /** In-memory affinity with idle expiry; {@link #expire()} is called periodically through {@link #expireIdle()}. */
  public static final class LocalAffinityTable implements AffinityTable {
    private final Clock clock;
    private final Map<String, Map<String, Binding>> pools = new ConcurrentHashMap<>();

    private final java.util.function.LongSupplier wallMillis;

    LocalAffinityTable(Clock clock, java.util.function.LongSupplier wallMillis) {
      this.clock = clock;
      this.wallMillis = wallMillis;
    }

    private static final class Binding {
      final String backendId;
      final long idleNanos;
      final long created;
      volatile long lastUsed;

      Binding(String backendId, long idleNanos, long now) {
        this.backendId = backendId;
        this.idleNanos = idleNanos;
        this.created = now;
        this.lastUsed = now;
      }

      boolean expired(long now) {
        return now - lastUsed > idleNanos;
      }
    }

    private Map<String, Binding> pool(String pool) {
      return pools.computeIfAbsent(pool, p -> new ConcurrentHashMap<>());
    }

    @Override
    public String lookup(String pool, String key) {
      Map<String, Binding> table = pools.get(pool);
      if (table == null) {
        return null;
      }
      Binding b = table.get(key);
      if (b == null) {
        return null;
      }
      long now = clock.nanoTime();
      if (b.expired(now)) {
        table.remove(key, b);
        return null;
      }
      b.lastUsed = now;
      return b.backendId;
    }

    @Override
    public CompletionStage<String> bindIfAbsent(String pool, String key, String backendId, Duration idleTimeout) {
      long now = clock.nanoTime();
      Binding fresh = new Binding(backendId, idleTimeout.toNanos(), now);
      Binding won = pool(pool).merge(key, fresh, (old, neu) -> old.expired(now) ? neu : old);
      won.lastUsed = now;
      return CompletableFuture.completedFuture(won.backendId);
    }

    @Override
    public CompletionStage<Void> rebind(String pool, String key, String backendId, Duration idleTimeout) {
      pool(pool).put(key, new Binding(backendId, idleTimeout.toNanos(), clock.nanoTime()));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public int size(String pool) {
      Map<String, Binding> table = pools.get(pool);
      return table == null ? 0 : table.size();
    }

    /** Reads the binding without refreshing its idle timer; times are converted from the injected clock. */
    @Override
    public CompletionStage<java.util.Optional<AffinityTable.Binding>> binding(String pool, String key) {
      Map<String, Binding> table = pools.get(pool);
      Binding b = table == null ? null : table.get(key);
      long now = clock.nanoTime();
      if (b == null || b.expired(now)) {
        return CompletableFuture.completedFuture(java.util.Optional.empty());
      }
      long wall = wallMillis.getAsLong();
      return CompletableFuture.completedFuture(java.util.Optional.of(new AffinityTable.Binding(b.backendId,
          wall - (now - b.created) / 1_000_000, wall - (now - b.lastUsed) / 1_000_000)));
    }

    /** Drops bindings idle longer than their timeout. */
    public void expire() {
      long now = clock.nanoTime();
      for (Map<String, Binding> table : pools.values()) {
        table.values().removeIf(b -> b.expired(now));
      }
    }
  }

  /** Verdicts, check results and suspect reports of a single node, in memory. */
  private static final class LocalHealthBoard implements HealthBoard {
    private final String nodeId;
    private final Map<String, HealthDetail> details = new ConcurrentHashMap<>();
    private final List<VerdictListener> listeners = new CopyOnWriteArrayList<>();

    private final java.util.function.LongSupplier wallMillis;

    LocalHealthBoard(String nodeId, java.util.function.LongSupplier wallMillis) {
      this.nodeId = nodeId;
      this.wallMillis = wallMillis;
    }

    private static String key(String pool, String backendId) {
      return pool + '\u0000' + backendId;
    }

    private HealthDetail current(String key) {
      return details.getOrDefault(key, new HealthDetail(HealthState.PENDING, null, 0, List.of(), List.of()));
    }

    @Override
    public boolean isChecker(String pool, String backendId) {
      return true;
    }

    @Override
    public void publish(String pool, String backendId, HealthState state) {
      String key = key(pool, backendId);
      HealthDetail old = current(key);
      if (old.verdict() == state && old.publishedBy() != null) {
        return;
      }
      details.compute(key, (k, d) -> new HealthDetail(state, nodeId, wallMillis.getAsLong(),
          d == null ? List.of() : d.checks(), List.of()));
      if (old.verdict() != state) {
        listeners.forEach(l -> l.changed(pool, backendId, state));
      }
    }

    @Override
    public void publishCheck(String pool, String backendId, CheckResult result) {
      CheckResult mine = new CheckResult(nodeId, result.ok(), result.detail(), result.latencyMicros(),
          result.atMillis());
      details.compute(key(pool, backendId), (k, d) -> d == null
          ? new HealthDetail(HealthState.PENDING, null, 0, List.of(mine), List.of())
          : new HealthDetail(d.verdict(), d.publishedBy(), d.sinceMillis(), List.of(mine), d.suspects()));
    }

    @Override
    public void withdrawCheck(String pool, String backendId) {
      details.computeIfPresent(key(pool, backendId), (k, d) ->
          new HealthDetail(d.verdict(), d.publishedBy(), d.sinceMillis(), List.of(), d.suspects()));
    }

    @Override
    public void reportSuspect(String pool, String backendId) {
      details.compute(key(pool, backendId), (k, d) -> d == null
          ? new HealthDetail(HealthState.PENDING, null, 0, List.of(), List.of(nodeId))
          : new HealthDetail(d.verdict(), d.publishedBy(), d.sinceMillis(), d.checks(), List.of(nodeId)));
    }

    @Override
    public HealthState verdict(String pool, String backendId) {
      HealthDetail d = details.get(key(pool, backendId));
      return d == null ? HealthState.PENDING : d.verdict();
    }

    @Override
    public HealthDetail detail(String pool, String backendId) {
      return current(key(pool, backendId));
    }

    @Override
    public void addListener(VerdictListener listener) {
      listeners.add(listener);
    }
  }
}
