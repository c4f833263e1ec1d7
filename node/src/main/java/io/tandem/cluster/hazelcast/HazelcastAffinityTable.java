package io.tandem.cluster.hazelcast;

import io.tandem.affinity.AffinityTable;
import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.impl.proxy.MapProxyImpl;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import com.hazelcast.map.listener.MapEvictedListener;
import com.hazelcast.spi.merge.LatestUpdateMergePolicy;
import io.tandem.util.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link AffinityTable} over one Hazelcast map, {@value #MAP}, keyed {@code pool + '\0' + key} (one map, one listener,
 * one config for every pool; pool names never contain NUL). Values are {@code idleMillis + ":" + backendId} so that
 * every node knows each binding's idle timeout, including bindings it only heard of through events.
 *
 * <p>The map is the truth (1 synchronous backup, per-entry max-idle, latest update wins after a split heals). Every
 * node keeps a read cache fed by an entry listener, so {@link #lookup} reads local memory only. Idle time in the map
 * is refreshed by a fire-and-forget {@code getAsync} at most once per quarter idle timeout per key and node; its
 * answer also repairs the cache (a binding that expired without our hearing, or was rebound). The cache forgets
 * bindings nobody used on this node for a whole idle timeout (a later {@link #fetch} asks the map again), is swept
 * periodically (on {@code control}), and stops learning other nodes' bindings beyond {@code cap} entries.
 *
 * <p>The stages returned complete on a Hazelcast thread (partition or response thread) as soon as the map answered:
 * every thread hand-off costs latency on the path that holds a response back until its binding is stored. Dependent
 * actions must be short and non-blocking, or move to the caller's own thread (e.g. its event loop).
 */
public final class HazelcastAffinityTable implements AffinityTable, AutoCloseable {
  static final String MAP = "tandem-affinity";
  static final int DEFAULT_CAP = 1_000_000;
  /** Runs callbacks where the answer arrives: Hazelcast's plain whenComplete would hop to its async pool first. */
  private static final Executor ON_HAZELCAST_THREAD = Runnable::run;
  private static final long SWEEP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final IMap<String, String> map;
  private final Clock clock;
  private final Executor control;
  private final int cap;
  private final Map<String, Map<String, Cached>> pools = new ConcurrentHashMap<>();
  private final UUID listener;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private volatile long lastSweep;
  private ExecutorService adminReads;   // created on first use; guarded by this

  /** Sets up the affinity map; call on the member's config before the member starts. */
  public static void configure(Config config) {
    config.addMapConfig(new MapConfig(MAP)
        .setBackupCount(1)
        .setAsyncBackupCount(0)
        .setPerEntryStatsEnabled(true)    // LatestUpdateMergePolicy needs last-update times
        .setMergePolicyConfig(new MergePolicyConfig(LatestUpdateMergePolicy.class.getName(),
            MergePolicyConfig.DEFAULT_BATCH_SIZE)));
  }

  public HazelcastAffinityTable(HazelcastInstance hazelcast, Clock clock, Executor control) {
    this(hazelcast, clock, control, DEFAULT_CAP);
  }

  HazelcastAffinityTable(HazelcastInstance hazelcast, Clock clock, Executor control, int cap) {
    this.map = hazelcast.getMap(MAP);
    this.clock = clock;
    this.control = control;
    this.cap = cap;
    this.lastSweep = clock.nanoTime();
    this.listener = map.addEntryListener(new Events(), true);
  }

  private static final class Cached {
    final String value;
    final String backendId;
    final long idleNanos;
    volatile long lastUsed;
    volatile long lastTouched;

    Cached(String value, long now) {
      int colon = value.indexOf(':');
      this.value = value;
      this.backendId = value.substring(colon + 1);
      this.idleNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(value.substring(0, colon)));
      this.lastUsed = now;
      this.lastTouched = now;
    }
  }

  @Override
  public String lookup(String pool, String key) {
    Map<String, Cached> table = pools.get(pool);
    Cached cached = table == null ? null : table.get(key);
    if (cached == null) {
      return null;
    }
    long now = clock.nanoTime();
    if (now - cached.lastUsed > cached.idleNanos) {
      table.remove(key, cached);   // may have expired unheard; fetch() asks the map
      return null;
    }
    cached.lastUsed = now;
    if (now - cached.lastTouched > cached.idleNanos / 4) {
      cached.lastTouched = now;
      map.getAsync(mapKey(pool, key)).whenCompleteAsync((value, error) -> {
        if (error == null) {
          repair(pool, key, cached, value);
        }
      }, ON_HAZELCAST_THREAD);
    }
    return cached.backendId;
  }

  @Override
  public CompletionStage<String> bindIfAbsent(String pool, String key, String backendId, Duration idleTimeout) {
    String value = idleTimeout.toMillis() + ":" + backendId;
    CompletableFuture<String> result = new CompletableFuture<>();
    putIfAbsent(mapKey(pool, key), value, idleTimeout).whenCompleteAsync((previous, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
      } else {
        result.complete(remember(pool, key, previous == null ? value : previous, true).backendId);
      }
    }, ON_HAZELCAST_THREAD);
    return result;
  }

  /** Completes after the primary and its synchronous backup hold the entry (or with the binding already there). */
  @SuppressWarnings("unchecked")
  private CompletionStage<String> putIfAbsent(String mapKey, String value, Duration idle) {
    long idleMillis = idle.toMillis();
    if (map instanceof MapProxyImpl<?, ?> proxy) {
      // IMap has no public putIfAbsentAsync with max-idle; the member-side proxy does.
      return ((MapProxyImpl<String, String>) proxy).putIfAbsentAsync(mapKey, value, 0, TimeUnit.MILLISECONDS,
          idleMillis, TimeUnit.MILLISECONDS);
    }
    return CompletableFuture.supplyAsync(() -> map.putIfAbsent(mapKey, value, 0, TimeUnit.MILLISECONDS,
        idleMillis, TimeUnit.MILLISECONDS), control);
  }

  @Override
  public CompletionStage<Void> rebind(String pool, String key, String backendId, Duration idleTimeout) {
    String value = idleTimeout.toMillis() + ":" + backendId;
    CompletableFuture<Void> result = new CompletableFuture<>();
    map.setAsync(mapKey(pool, key), value, 0, TimeUnit.MILLISECONDS, idleTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync((ignored, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            remember(pool, key, value, true);
            result.complete(null);
          }
        }, ON_HAZELCAST_THREAD);
    return result;
  }

  @Override
  public CompletionStage<String> fetch(String pool, String key) {
    String local = lookup(pool, key);
    if (local != null) {
      return CompletableFuture.completedFuture(local);
    }
    CompletableFuture<String> result = new CompletableFuture<>();
    map.getAsync(mapKey(pool, key)).whenCompleteAsync((value, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
      } else {
        result.complete(value == null ? null : remember(pool, key, value, true).backendId);
      }
    }, ON_HAZELCAST_THREAD);
    return result;
  }

  @Override
  public int size(String pool) {
    Map<String, Cached> table = pools.get(pool);
    return table == null ? 0 : table.size();
  }

  /**
   * Reads the entry's statistics from its owner (a blocking call, made on a thread of its own, off the event loops and
   * the control executor): since is its last update (the bind or the latest rebind), last used the later of its last
   * access in the map and this node's last local use. The map keeps its times in whole seconds.
   */
  @Override
  public CompletionStage<java.util.Optional<Binding>> binding(String pool, String key) {
    return CompletableFuture.supplyAsync(() -> map.getEntryView(mapKey(pool, key)), adminReads())
        .thenApply(view -> {
          if (view == null || view.getValue() == null) {
            return java.util.Optional.empty();
          }
          String value = view.getValue();
          long since = view.getLastUpdateTime() > 0 ? view.getLastUpdateTime() : view.getCreationTime();
          long lastUsed = Math.max(since, view.getLastAccessTime());
          Map<String, Cached> table = pools.get(pool);
          Cached cached = table == null ? null : table.get(key);
          if (cached != null && cached.value.equals(value)) {
            lastUsed = Math.max(lastUsed, System.currentTimeMillis()
                - TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - cached.lastUsed));
          }
          return java.util.Optional.of(new Binding(value.substring(value.indexOf(':') + 1), since, lastUsed));
        });
  }

  private synchronized ExecutorService adminReads() {
    if (adminReads == null) {
      adminReads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tandem-affinity-reads");
        t.setDaemon(true);
        return t;
      });
    }
    return adminReads;
  }

  /** Stops listening to the shared map; the local cache stays as it is. */
  @Override
  public void close() {
    map.removeEntryListener(listener);
    synchronized (this) {
      if (adminReads != null) {
        adminReads.shutdownNow();
      }
    }
  }

  private Cached remember(String pool, String key, String value, boolean always) {
    long now = clock.nanoTime();
    maybeSweep(now);
    Map<String, Cached> table = pools.computeIfAbsent(pool, p -> new ConcurrentHashMap<>());
    Cached fresh = new Cached(value, now);
    if (always || table.containsKey(key) || cachedCount() < cap) {
      table.put(key, fresh);
    }
    return fresh;
  }

  /** Applies what the map said about a key we just touched. */
  private void repair(String pool, String key, Cached touched, String value) {
    if (value == null) {
      Map<String, Cached> table = pools.get(pool);
      if (table != null) {
        table.remove(key, touched);
      }
    } else if (!value.equals(touched.value)) {
      remember(pool, key, value, false);
    }
  }

  private void forget(String mapKey) {
    int nul = mapKey.indexOf('\0');
    Map<String, Cached> table = nul > 0 ? pools.get(mapKey.substring(0, nul)) : null;
    if (table != null) {
      table.remove(mapKey.substring(nul + 1));
    }
  }

  private long cachedCount() {
    long n = 0;
    for (Map<String, Cached> table : pools.values()) {
      n += table.size();
    }
    return n;
  }

  private void maybeSweep(long now) {
    if (now - lastSweep > SWEEP_EVERY_NANOS && sweeping.compareAndSet(false, true)) {
      lastSweep = now;
      control.execute(() -> {
        try {
          long at = clock.nanoTime();
          pools.values().forEach(table -> table.values().removeIf(c -> at - c.lastUsed > c.idleNanos));
        } finally {
          sweeping.set(false);
        }
      });
    }
  }

  private static String mapKey(String pool, String key) {
    return pool + '\0' + key;
  }

  /** Feeds the cache from the shared map; runs on Hazelcast event threads (ordered per key). */
  private final class Events implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryRemovedListener<String, String>, EntryEvictedListener<String, String>,
      EntryExpiredListener<String, String>, EntryMergedListener<String, String>, MapClearedListener,
      MapEvictedListener {

    private void learn(EntryEvent<String, String> event) {
      String mapKey = event.getKey();
      int nul = mapKey.indexOf('\0');
      if (nul > 0 && event.getValue() != null) {
        remember(mapKey.substring(0, nul), mapKey.substring(nul + 1), event.getValue(), false);
      }
    }

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      learn(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      learn(event);
    }

    /** After a split heals, the merge policy's winner replaces what this node cached. */
    @Override
    public void entryMerged(EntryEvent<String, String> event) {
      learn(event);
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      forget(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, String> event) {
      forget(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      forget(event.getKey());
    }

    @Override
    public void mapCleared(MapEvent event) {
      pools.clear();
    }

    @Override
    public void mapEvicted(MapEvent event) {
      pools.clear();
    }
  }
}
