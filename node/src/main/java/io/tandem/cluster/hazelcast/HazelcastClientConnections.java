package io.tandem.cluster.hazelcast;

import io.tandem.cluster.ClientConnectionCounts;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link ClientConnectionCounts} over a Hazelcast {@code ReplicatedMap} ({@value #MAP}): node id to that node's
 * counts. Publication every {@value #INTERVAL_MILLIS} ms when changed, on the cluster I/O thread; sums over the other
 * live nodes rebuilt on the control executor when an entry changes or a member leaves. At most {@value #MAX_KEYS}
 * keys per node are published (the largest counts), so a flood from many addresses cannot grow the map without bound.
 */
final class HazelcastClientConnections implements ClientConnectionCounts {
  static final String MAP = "tandem-client-connections";
  static final long INTERVAL_MILLIS = 100;
  static final int MAX_KEYS = 10_000;
  private static final Logger LOG = LogManager.getLogger(HazelcastClientConnections.class);

  private final String nodeId;
  private final HazelcastMembership membership;
  private final ScheduledExecutorService io;
  private final ReplicatedMap<String, HashMap<String, Integer>> map;
  private volatile Map<String, Integer> sums = Map.of();
  private Map<String, Integer> lastPublished = Map.of();

  HazelcastClientConnections(HazelcastInstance hz, String nodeId, HazelcastMembership membership, Executor control,
      ScheduledExecutorService io) {
    this.nodeId = nodeId;
    this.membership = membership;
    this.io = io;
    this.map = hz.getReplicatedMap(MAP);
    map.addEntryListener(new HzEntryListener<>() {
      @Override
      void changed(String key, HashMap<String, Integer> valueOrNull) {
        if (!key.equals(nodeId)) {
          control.execute(HazelcastClientConnections.this::rebuild);
        }
      }

      @Override
      void cleared() {
        control.execute(HazelcastClientConnections.this::rebuild);
      }
    });
    membership.addListener(members -> control.execute(this::rebuild));
  }

  @Override
  public int others(String key) {
    Integer n = sums.get(key);
    return n == null ? 0 : n;
  }

  @Override
  public void localSource(Supplier<Map<String, Integer>> source) {
    io.scheduleWithFixedDelay(() -> publish(source), INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Removes this node's entry (graceful stop); blocking. */
  void withdraw() {
    map.remove(nodeId);
  }

  private void publish(Supplier<Map<String, Integer>> source) {
    try {
      Map<String, Integer> now = source.get();
      if (now.size() > MAX_KEYS) {
        HashMap<String, Integer> top = new HashMap<>();
        now.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(MAX_KEYS)
            .forEach(e -> top.put(e.getKey(), e.getValue()));
        now = top;
      }
      if (!now.equals(lastPublished)) {
        map.put(nodeId, new HashMap<>(now));
        lastPublished = now;
      }
    } catch (RuntimeException e) {
      LOG.debug("client connection counts not published: {}", e.toString());
    }
  }

  private synchronized void rebuild() {
    Map<String, Integer> next = new HashMap<>();
    for (String id : membership.liveNodeIds()) {
      HashMap<String, Integer> counts = id.equals(nodeId) ? null : map.get(id);
      if (counts != null) {
        counts.forEach((k, v) -> next.merge(k, v, Integer::sum));
      }
    }
    sums = Map.copyOf(next);
  }
}
