package io.tandem.cluster;

import io.tandem.health.HealthState;
import io.tandem.util.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/** {@link SharedState} of a node without peers: everything in this JVM's memory. */
public final class LocalSharedState implements SharedState {
  private final String nodeId;
  private final LocalAffinityTable affinity;
  private final LocalHealthBoard health = new LocalHealthBoard();
  private final LocalRuntimeState runtime;
  private final Membership membership;

  public LocalSharedState(String nodeId, Clock clock) {
    this.nodeId = nodeId;
    this.affinity = new LocalAffinityTable(clock);
    this.runtime = new LocalRuntimeState(nodeId);
    long started = System.currentTimeMillis();
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

  @Override
  public void close() {}

  /** Runtime changes of a single node: versioned, in memory. */
  private static final class LocalRuntimeState implements RuntimeState {
    private final String nodeId;
    private final Map<String, BackendChange> changes = new ConcurrentHashMap<>();
    private final List<java.util.function.Consumer<Map<String, BackendChange>>> listeners =
        new CopyOnWriteArrayList<>();
    private long version;

    LocalRuntimeState(String nodeId) {
      this.nodeId = nodeId;
    }

    @Override
    public synchronized CompletionStage<Long> apply(BackendChange change) {
      long v = ++version;
      BackendChange stored = new BackendChange(change.pool(), change.backendId(), change.state(), change.weight(), v,
          nodeId, System.currentTimeMillis()).over(changes.get(change.key()));
      changes.put(change.key(), stored);
      Map<String, BackendChange> snapshot = Map.copyOf(changes);
      listeners.forEach(l -> l.accept(snapshot));
      return CompletableFuture.completedFuture(v);
    }

    @Override
    public Map<String, BackendChange> current() {
      return Map.copyOf(changes);
    }

    @Override
    public synchronized long version() {
      return version;
    }

    @Override
    public void addListener(java.util.function.Consumer<Map<String, BackendChange>> listener) {
      listeners.add(listener);
    }
  }

  /** In-memory affinity with idle expiry; {@link #expire()} is called periodically by the control plane. */
  public static final class LocalAffinityTable implements AffinityTable {
    private final Clock clock;
    private final Map<String, Map<String, Binding>> pools = new ConcurrentHashMap<>();

    LocalAffinityTable(Clock clock) {
      this.clock = clock;
    }

    private static final class Binding {
      final String backendId;
      final long idleNanos;
      volatile long lastUsed;

      Binding(String backendId, long idleNanos, long now) {
        this.backendId = backendId;
        this.idleNanos = idleNanos;
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

    /** Drops bindings idle longer than their timeout. */
    public void expire() {
      long now = clock.nanoTime();
      for (Map<String, Binding> table : pools.values()) {
        table.values().removeIf(b -> b.expired(now));
      }
    }
  }

  private static final class LocalHealthBoard implements HealthBoard {
    private final Map<String, HealthState> verdicts = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public boolean isChecker(String pool, String backendId) {
      return true;
    }

    @Override
    public void publish(String pool, String backendId, HealthState state) {
      HealthState old = verdicts.put(pool + '\u0000' + backendId, state);
      if (old != state) {
        listeners.forEach(l -> l.accept(pool, backendId));
      }
    }

    @Override
    public HealthState verdict(String pool, String backendId) {
      return verdicts.getOrDefault(pool + '\u0000' + backendId, HealthState.PENDING);
    }

    @Override
    public void addListener(BiConsumer<String, String> listener) {
      listeners.add(listener);
    }
  }
}
