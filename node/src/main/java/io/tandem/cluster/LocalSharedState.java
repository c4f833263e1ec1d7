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

  public LocalSharedState(String nodeId, Clock clock) {
    this.nodeId = nodeId;
    this.affinity = new LocalAffinityTable(clock);
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
  public void close() {}

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
