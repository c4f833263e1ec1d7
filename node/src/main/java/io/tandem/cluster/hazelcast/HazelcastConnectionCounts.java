package io.tandem.cluster.hazelcast;

import io.tandem.cluster.ConnectionCounts;
import io.tandem.cluster.Membership;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.tandem.util.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link ConnectionCounts} over a Hazelcast {@code ReplicatedMap} ({@value #MAP}): node id to that node's
 * {@code pool/backendId -> in-flight} map. Each node publishes its own counts every {@value #INTERVAL_MILLIS} ms when
 * they changed, and at least every second as a keep-alive. {@link #othersActive} is one lookup in an immutable map of
 * sums over the other trusted live members, rebuilt on the control executor whenever an entry changes or a member
 * joins or leaves (a member that leaves drops out of the sums at once; the coordinator deletes its entry).
 *
 * <p>Staleness: another node's count is at most one publication interval (100 ms) plus the replication delay (a few
 * milliseconds on a LAN, longer while the cluster is unhappy) plus the time to rebuild the sums old.
 *
 * <p>For operators, {@link #perNode} reads one node's latest publication and {@link #lastPublished} says when each
 * arrived here (wall clock, recorded by the entry listener).
 *
 * <p>Limit: an untrusted member that claims a live node's id can overwrite that node's entry until its next keep-alive.
 */
final class HazelcastConnectionCounts implements ConnectionCounts {
  static final String MAP = "tandem-connections";
  static final long INTERVAL_MILLIS = 100;
  private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final Logger LOG = LogManager.getLogger(HazelcastConnectionCounts.class);

  private final String nodeId;
  private final HazelcastMembership membership;
  private final Executor control;
  private final ScheduledExecutorService io;
  private final Clock clock;
  private final ReplicatedMap<String, Map<String, Integer>> map;
  private volatile Map<String, Integer> sums = Map.of();
  /** When each node's latest publication arrived here (wall-clock millis). */
  private final Map<String, Long> receivedAt = new java.util.concurrent.ConcurrentHashMap<>();
  private Map<String, Integer> lastPublished;
  private long lastPublishedAt;

  /**
   * @param io where publication and deletes run (blocking Hazelcast calls; never the control executor)
   */
  HazelcastConnectionCounts(HazelcastInstance hz, String nodeId, HazelcastMembership membership, Executor control,
      ScheduledExecutorService io, Clock clock) {
    this.nodeId = nodeId;
    this.membership = membership;
    this.control = control;
    this.io = io;
    this.clock = clock;
    this.map = hz.getReplicatedMap(MAP);
    map.addEntryListener(new Changes());
    membership.addListener(this::membersChanged);
    rebuild();
  }

  @Override
  public int othersActive(String pool, String backendId) {
    Integer n = sums.get(pool + "/" + backendId);
    return n == null ? 0 : n;
  }

  @Override
  public void localSource(Supplier<Map<String, Integer>> source) {
    io.scheduleWithFixedDelay(() -> publish(source), 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Reads each other live node's latest publication (local copy); a node that published nothing yet counts 0. */
  @Override
  public Map<String, Integer> perNode(String pool, String backendId) {
    String key = pool + "/" + backendId;
    Map<String, Integer> result = new java.util.TreeMap<>();
    for (String id : membership.liveNodeIds()) {
      if (!id.equals(nodeId)) {
        Map<String, Integer> counts = map.get(id);
        Integer n = counts == null ? null : counts.get(key);
        result.put(id, n == null ? 0 : n);
      }
    }
    return result;
  }

  /** When this node last heard each other live node's publication (a keep-alive at least every second). */
  @Override
  public Map<String, Long> lastPublished() {
    Map<String, Long> result = new java.util.TreeMap<>();
    for (String id : membership.liveNodeIds()) {
      Long at = receivedAt.get(id);
      if (at != null && !id.equals(nodeId)) {
        result.put(id, at);
      }
    }
    return result;
  }

  /** Removes this node's entry (before a graceful stop); blocking. */
  void withdraw() {
    map.remove(nodeId);
  }

  private void publish(Supplier<Map<String, Integer>> source) {
    try {
      Map<String, Integer> now = new HashMap<>();
      source.get().forEach((k, v) -> {
        if (v != null && v != 0) {
          now.put(k, v);
        }
      });
      long t = clock.nanoTime();
      if (now.equals(lastPublished) && t - lastPublishedAt < KEEP_ALIVE_NANOS) {
        return;
      }
      map.put(nodeId, now);
      lastPublished = now;
      lastPublishedAt = t;
    } catch (RuntimeException e) {
      // Keep the schedule alive: a failed run would cancel it. The next run retries in 100 ms.
      LOG.debug("connection counts not published: {}", e.toString());
    }
  }

  private void membersChanged(List<Membership.Member> members) {
    rebuild();
    if (nodeId.equals(membership.coordinator())) {
      List<String> live = membership.liveNodeIds();
      io.execute(() -> {
        try {
          map.keySet().stream().filter(k -> !live.contains(k)).forEach(map::remove);
        } catch (RuntimeException e) {
          LOG.debug("stale connection counts not deleted: {}", e.toString());
        }
      });
    }
  }

  private synchronized void rebuild() {
    Map<String, Integer> next = new HashMap<>();
    for (String id : membership.liveNodeIds()) {
      if (id.equals(nodeId)) {
        continue;
      }
      Map<String, Integer> counts = map.get(id);
      if (counts != null) {
        counts.forEach((k, v) -> next.merge(k, v, Integer::sum));
      }
    }
    sums = Map.copyOf(next);
  }

  /** Runs on a Hazelcast event thread: only schedules a rebuild on the control executor. */
  private final class Changes extends HzEntryListener<String, Map<String, Integer>> {
    @Override
    void changed(String key, Map<String, Integer> valueOrNull) {
      if (valueOrNull == null) {
        receivedAt.remove(key);
      } else {
        receivedAt.put(key, System.currentTimeMillis());
      }
      if (!key.equals(nodeId)) {
        control.execute(HazelcastConnectionCounts.this::rebuild);
      }
    }

    @Override
    void cleared() {
      receivedAt.clear();
      control.execute(HazelcastConnectionCounts.this::rebuild);
    }
  }
}
