package io.tandem.cluster.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.tandem.cluster.HealthBoard.CheckResult;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Each node's last probe result per backend, for operators, over a {@code ReplicatedMap} ({@value #MAP}, key
 * {@code pool/backendId NUL node}, value {@code ok|latencyMicros|atMillis|detail}): every member holds a copy, so
 * reads are local. A node writes a result only when it differs from its last written one (pass/fail or detail) or that
 * one is {@value #REFRESH_MILLIS} ms old, so a check every second costs at most one write per backend every few
 * seconds; {@code atMillis} and the latency are therefore up to that old. The coordinator deletes the entries of nodes
 * that left; a node deletes its own entry of a backend it stops checking because the backend left its pool.
 */
final class HazelcastCheckResults {
  static final String MAP = "tandem-health-checks";
  static final long REFRESH_MILLIS = 5_000;
  private static final Logger LOG = LogManager.getLogger(HazelcastCheckResults.class);

  private final String nodeId;
  private final HazelcastMembership membership;
  private final Executor io;
  private final ReplicatedMap<String, String> map;
  private final Map<String, Map<String, CheckResult>> byBackend = new ConcurrentHashMap<>();
  private final Map<String, CheckResult> written = new ConcurrentHashMap<>();

  /** @param io where blocking Hazelcast writes run (never the control executor, never an event loop) */
  HazelcastCheckResults(HazelcastInstance hz, String nodeId, HazelcastMembership membership, Executor io) {
    this.nodeId = nodeId;
    this.membership = membership;
    this.io = io;
    this.map = hz.getReplicatedMap(MAP);
    map.addEntryListener(new Changes());
    for (Map.Entry<String, String> e : map.entrySet()) {
      remember(e.getKey(), e.getValue());
    }
    membership.addListener(members -> dropLeftNodes());
  }

  /** Publishes this node's result for a backend ({@code pool/backendId}) unless it repeats the last one. */
  void publish(String backendKey, CheckResult result) {
    CheckResult last = written.get(backendKey);
    if (last != null && last.ok() == result.ok() && java.util.Objects.equals(last.detail(), result.detail())
        && result.atMillis() - last.atMillis() < REFRESH_MILLIS) {
      return;
    }
    written.put(backendKey, result);
    String value = (result.ok() ? "1" : "0") + "|" + result.latencyMicros() + "|" + result.atMillis() + "|"
        + (result.detail() == null ? "" : result.detail());
    write(() -> map.put(backendKey + '\0' + nodeId, value));
  }

  /** Deletes this node's result for a backend. */
  void withdraw(String backendKey) {
    if (written.remove(backendKey) != null) {
      write(() -> map.remove(backendKey + '\0' + nodeId));
    }
  }

  /** The last result of each node for a backend, by node id. Local memory only. */
  List<CheckResult> of(String backendKey) {
    Map<String, CheckResult> results = byBackend.get(backendKey);
    return results == null ? List.of()
        : results.values().stream().sorted(Comparator.comparing(CheckResult::node)).toList();
  }

  private void write(Runnable action) {
    io.execute(() -> {
      try {
        action.run();
      } catch (RuntimeException e) {
        LOG.debug("health check result not written: {}", e.toString());
      }
    });
  }

  private void dropLeftNodes() {
    if (!nodeId.equals(membership.coordinator())) {
      return;
    }
    List<String> live = membership.liveNodeIds();
    write(() -> map.keySet().stream()
        .filter(k -> !live.contains(k.substring(k.lastIndexOf('\0') + 1)))
        .forEach(map::remove));
  }

  private void remember(String key, String value) {
    int nul = key.lastIndexOf('\0');
    if (nul < 0) {
      return;
    }
    String backendKey = key.substring(0, nul);
    String node = key.substring(nul + 1);
    if (value == null) {
      byBackend.computeIfPresent(backendKey, (k, m) -> {
        m.remove(node);
        return m.isEmpty() ? null : m;
      });
      return;
    }
    String[] parts = value.split("\\|", 4);
    CheckResult r = new CheckResult(node, "1".equals(parts[0]), parts[3], Long.parseLong(parts[1]),
        Long.parseLong(parts[2]));
    byBackend.compute(backendKey, (k, m) -> {
      Map<String, CheckResult> results = m == null ? new ConcurrentHashMap<>() : m;
      results.put(node, r);
      return results;
    });
  }

  /** Runs on a Hazelcast event thread: only updates local memory. */
  private final class Changes extends HzEntryListener<String, String> {
    @Override
    void changed(String key, String valueOrNull) {
      remember(key, valueOrNull);
    }

    @Override
    void cleared() {
      byBackend.clear();
    }
  }
}
