package io.tandem.cluster.hazelcast;

import io.tandem.cluster.HealthBoard;
import io.tandem.cluster.HealthState;
import io.tandem.cluster.Rendezvous;
import io.tandem.cluster.hazelcast.HazelcastCheckResults;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link HealthBoard} over a Hazelcast {@code ReplicatedMap} ({@value #MAP}, key {@code pool/backendId}, value
 * {@code STATE|checkerNode|epochMillis}): every member holds a full copy, so {@link #verdict} is a local read; a
 * change is seen on the other members a few milliseconds later. The checker of a backend is its rendezvous owner among
 * the trusted live members, so when a node leaves its backends get new checkers at once; the last verdict stays in
 * force until the new checker publishes; its time is when the state last changed (a new checker publishing the same
 * state keeps it). Suspect reports travel on the topic {@value #TOPIC}; every node remembers who reported a backend
 * until its verdict changes. Probe results for operators go through {@link HazelcastCheckResults}.
 *
 * <p>Pool names are assumed not to contain {@code /} (the key is split at the first one for listeners).
 */
final class HazelcastHealthBoard implements HealthBoard {
  static final String MAP = "tandem-health";
  static final String TOPIC = "tandem-suspects";
  private static final Logger LOG = LogManager.getLogger(HazelcastHealthBoard.class);

  private final String nodeId;
  private final HazelcastMembership membership;
  private final Executor control;
  private final Executor io;
  private final ReplicatedMap<String, String> map;
  private final ITopic<String> suspects;
  private final Map<String, Verdict> verdicts = new ConcurrentHashMap<>();
  private final Map<String, HealthState> written = new ConcurrentHashMap<>();
  private final List<VerdictListener> listeners = new CopyOnWriteArrayList<>();
  private final List<BiConsumer<String, String>> suspectListeners = new CopyOnWriteArrayList<>();
  private final Map<String, java.util.Set<String>> suspectedBy = new ConcurrentHashMap<>();
  private final HazelcastCheckResults checks;

  /** A published verdict. */
  record Verdict(HealthState state, String node, long atMillis) {
    String encode() {
      return state.name() + "|" + node + "|" + atMillis;
    }

    static Verdict decode(String value) {
      String[] parts = value.split("\\|", 3);
      return new Verdict(HealthState.valueOf(parts[0]), parts[1], Long.parseLong(parts[2]));
    }
  }

  /**
   * @param io where blocking Hazelcast writes run (never the control executor, never an event loop)
   */
  HazelcastHealthBoard(HazelcastInstance hz, String nodeId, HazelcastMembership membership, Executor control,
      Executor io) {
    this.nodeId = nodeId;
    this.membership = membership;
    this.control = control;
    this.io = io;
    this.map = hz.getReplicatedMap(MAP);
    this.suspects = hz.getTopic(TOPIC);
    this.checks = new HazelcastCheckResults(hz, nodeId, membership, io);
    map.addEntryListener(new Changes());
    for (Map.Entry<String, String> e : map.entrySet()) {
      verdicts.putIfAbsent(e.getKey(), Verdict.decode(e.getValue()));
    }
    suspects.addMessageListener(this::onSuspect);
  }

  @Override
  public boolean isChecker(String pool, String backendId) {
    return nodeId.equals(Rendezvous.owner(pool + "/" + backendId, membership.liveNodeIds()));
  }

  @Override
  public void publish(String pool, String backendId, HealthState state) {
    String key = pool + "/" + backendId;
    Verdict current = verdicts.get(key);
    // Skip only when our last write is also what the map holds (the map may still lag behind our last write).
    if (written.put(key, state) == state && current != null && current.state == state
        && current.node.equals(nodeId)) {
      return;
    }
    long since = current != null && current.state == state ? current.atMillis : System.currentTimeMillis();
    String value = new Verdict(state, nodeId, since).encode();
    io.execute(() -> {
      try {
        map.put(key, value);
      } catch (RuntimeException e) {
        LOG.warn("could not publish health verdict {} of {}: {}", state, key, e.toString());
      }
    });
  }

  @Override
  public HealthState verdict(String pool, String backendId) {
    Verdict v = verdicts.get(pool + "/" + backendId);
    return v == null ? HealthState.PENDING : v.state;
  }

  /** The full verdict (with checker node and time), or null. Local memory only. */
  Verdict published(String pool, String backendId) {
    return verdicts.get(pool + "/" + backendId);
  }

  @Override
  public void publishCheck(String pool, String backendId, CheckResult result) {
    checks.publish(pool + "/" + backendId, result);
  }

  @Override
  public void withdrawCheck(String pool, String backendId) {
    checks.withdraw(pool + "/" + backendId);
  }

  @Override
  public HealthDetail detail(String pool, String backendId) {
    String key = pool + "/" + backendId;
    Verdict v = verdicts.get(key);
    java.util.Set<String> by = suspectedBy.get(key);
    List<String> suspectList = by == null ? List.of() : by.stream().sorted().toList();
    return v == null ? new HealthDetail(HealthState.PENDING, null, 0, checks.of(key), suspectList)
        : new HealthDetail(v.state, v.node, v.atMillis, checks.of(key), suspectList);
  }

  @Override
  public void addListener(VerdictListener listener) {
    listeners.add(listener);
  }

  @Override
  public void reportSuspect(String pool, String backendId) {
    suspected(pool + "/" + backendId, nodeId);
    try {
      suspects.publishAsync(pool + "/" + backendId);
    } catch (RuntimeException e) {
      // Called on the data path: a member that is stopping (or a cluster that is unhappy) must not fail the request.
      LOG.debug("suspect report of {}/{} not sent: {}", pool, backendId, e.toString());
    }
  }

  private void suspected(String key, String byNode) {
    suspectedBy.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(byNode);
  }

  @Override
  public void addSuspectListener(BiConsumer<String, String> listener) {
    suspectListeners.add(listener);
  }

  private void onSuspect(Message<String> message) {
    if (message.getPublishingMember() == null || message.getPublishingMember().localMember()
        || !membership.isTrusted(message.getPublishingMember())) {
      return;
    }
    String key = message.getMessageObject();
    suspected(key, message.getPublishingMember().getAttribute(HzMemberConfig.NODE_ATTRIBUTE));
    control.execute(() -> forKey(key, (pool, backendId) -> suspectListeners.forEach(l -> l.accept(pool, backendId))));
  }

  /** Calls {@code action} with the pool and backend id of a {@code pool/backendId} key. */
  private static void forKey(String key, BiConsumer<String, String> action) {
    int slash = key.indexOf('/');
    action.accept(key.substring(0, slash), key.substring(slash + 1));
  }

  /** Runs on a Hazelcast event thread: updates the local cache and hands notification to the control executor. */
  private final class Changes extends HzEntryListener<String, String> {
    @Override
    void changed(String key, String value) {
      if (value == null) {
        verdicts.remove(key);
        return;
      }
      Verdict fresh = Verdict.decode(value);
      Verdict old = verdicts.put(key, fresh);
      if (old == null || old.state != fresh.state) {
        suspectedBy.remove(key);
        // The state this change set: the cache may hold a later one by the time the control executor runs this.
        HealthState state = fresh.state;
        control.execute(() -> forKey(key, (pool, backendId) ->
            listeners.forEach(l -> l.changed(pool, backendId, state))));
      }
    }

    @Override
    void cleared() {
      verdicts.clear();
    }
  }
}
