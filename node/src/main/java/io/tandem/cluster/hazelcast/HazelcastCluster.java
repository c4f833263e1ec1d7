package io.tandem.cluster.hazelcast;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import io.tandem.affinity.AffinityTable;
import io.tandem.cluster.ClientConnectionCounts;
import io.tandem.cluster.ConfigFingerprint;
import io.tandem.cluster.LocalSharedState;
import io.tandem.cluster.QuicPeers;
import io.tandem.cluster.RuntimeState;
import io.tandem.cluster.SharedState;
import io.tandem.cluster.StateFile;
import io.tandem.cluster.UsageExchange;
import io.tandem.config.TandemConfig;
import io.tandem.util.Clock;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link SharedState} of a clustered node: an embedded Hazelcast member configured from Tandem's configuration only
 * (TCP-IP join with the configured node list, explicit interface, no multicast, no auto-detection, no phone-home,
 * failure detection from {@code heartbeat}/{@code failure-timeout}, split-brain protection {@code tandem-quorum} of
 * {@code min-members}). Listener callbacks of every part run on the control executor given to {@link #start}; blocking
 * Hazelcast writes run on one thread of its own ({@code tandem-cluster-io}).
 *
 * <p>Closing is quiet: from its first step, callbacks Hazelcast still delivers are dropped before they reach the
 * control executor, a task already queued there does nothing, and writes handed to the I/O thread are discarded. A
 * member shutting down throws {@link HazelcastInstanceNotActiveException} from every call; a callback that races the
 * close logs it at DEBUG, never as an unhandled exception on an event loop.
 *
 * <p>Each member publishes a {@link ConfigFingerprint} as member attributes; {@link #configMismatches()} lists how
 * this node's configuration differs from the coordinator's (logged at ERROR when detected).
 */
public final class HazelcastCluster implements SharedState {
  private static final Logger LOG = LogManager.getLogger(HazelcastCluster.class);

  private final HazelcastInstance hz;
  private final String nodeId;
  private final ScheduledExecutorService io;
  private final HazelcastMembership membership;
  private final HazelcastHealthBoard health;
  private final HazelcastConnectionCounts connections;
  private final AffinityTable affinity;
  private final RuntimeState runtime;
  private final HazelcastUsageExchange usage;
  private final HazelcastClientConnections clientConnections;
  private final HazelcastQuicPeers quic;
  private final ConfigFingerprint fingerprint;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile List<String> configMismatches = List.of();

  private HazelcastCluster(HazelcastInstance hz, TandemConfig config, ConfigFingerprint fingerprint, Clock clock,
      Executor control, Function<HazelcastInstance, AffinityTable> affinity,
      Function<HazelcastInstance, RuntimeState> runtime) {
    this.hz = hz;
    this.nodeId = config.nodeId();
    this.fingerprint = fingerprint;
    // Once closed, a write handed over (a verdict, a check result) is dropped rather than thrown back at its caller.
    this.io = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "tandem-cluster-io");
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.DiscardPolicy());
    Executor callbacks = untilClosed(control);
    this.membership = new HazelcastMembership(hz, config.cluster(), callbacks);
    this.health = new HazelcastHealthBoard(hz, nodeId, membership, callbacks, io);
    this.connections = new HazelcastConnectionCounts(hz, nodeId, membership, callbacks, io, clock);
    this.affinity = affinity.apply(hz);
    this.runtime = runtime.apply(hz);
    this.usage = new HazelcastUsageExchange(hz, membership);
    this.clientConnections = new HazelcastClientConnections(hz, nodeId, membership, callbacks, io);
    this.quic = new HazelcastQuicPeers(hz, config.cluster(), membership, callbacks);
    membership.addListener(members -> checkConfig());
    checkConfig();
    hz.getLifecycleService().addLifecycleListener(event -> {
      switch (event.getState()) {
        case MERGING -> LOG.warn("network split healed: this side is merging into the other (latest update wins)");
        case MERGED -> LOG.warn("network split healed: merged back into one cluster");
        case MERGE_FAILED -> LOG.error("network split healed but the merge failed; restart this node to rejoin");
        default -> { }
      }
    });
  }

  /**
   * Starts this node's member and joins the configured nodes (blocks for the join, a few seconds). Affinity and
   * runtime changes are kept in this node's memory only; see the other overload.
   *
   * @param control the control-plane executor every listener is called on (never an event loop)
   */
  public static HazelcastCluster start(TandemConfig config, Clock clock, Executor control) {
    LocalSharedState local = new LocalSharedState(config.nodeId(), clock);
    return start(config, clock, control, hz -> local.affinity(), hz -> local.runtime());
  }

  /**
   * Opens the shared state a configuration asks for: a Hazelcast member when it describes a cluster, else memory only
   * ({@link LocalSharedState}). Blocks while joining: call it off the event loops.
   *
   * @param control executor for every callback into Tandem (a control-plane context)
   */
  public static io.tandem.cluster.SharedState open(TandemConfig config, Clock clock, Executor control) {
    return config.cluster() == null ? new LocalSharedState(config.nodeId(), clock) : startShared(config, clock, control);
  }

  /**
   * Starts this node's member with everything shared: the affinity table and the runtime state (reconciled with the
   * local state file before this returns, so a joining node has the cluster's state before it serves).
   */
  public static HazelcastCluster startShared(TandemConfig config, Clock clock, Executor control) {
    java.nio.file.Path path = config.cluster().stateFile();
    HazelcastCluster cluster = start(config, clock, control,
        hz -> new HazelcastAffinityTable(hz, clock, control),
        hz -> new HazelcastRuntimeState(hz, config.nodeId(), path == null ? null : new StateFile(path), control));
    try {
      ((HazelcastRuntimeState) cluster.runtime()).ready().toCompletableFuture()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      cluster.close();
      throw new IllegalStateException("runtime state not loaded from the cluster: " + e, e);
    }
    return cluster;
  }

  /** Starts this node's member with the shared affinity table and runtime state made by the given factories. */
  public static HazelcastCluster start(TandemConfig config, Clock clock, Executor control,
      Function<HazelcastInstance, AffinityTable> affinity, Function<HazelcastInstance, RuntimeState> runtime) {
    if (config.cluster() == null) {
      throw new IllegalArgumentException("a cluster member needs the cluster section of the configuration");
    }
    ConfigFingerprint fingerprint = ConfigFingerprint.of(config);
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(
        HzMemberConfig.build(config, fingerprint, System.currentTimeMillis()));
    try {
      if (config.cluster().discoversMembers()) {
        refuseDuplicateId(hz, config.nodeId());
      }
      return new HazelcastCluster(hz, config, fingerprint, clock, control, affinity, runtime);
    } catch (RuntimeException e) {
      hz.shutdown();
      throw e;
    }
  }

  /**
   * With DNS discovery nothing else keeps two members from taking one id: the one that joins second stops here (its
   * member list, oldest first, already holds the first). Two that start apart and merge later: the younger is
   * distrusted ({@link HazelcastMembership}).
   */
  private static void refuseDuplicateId(HazelcastInstance hz, String nodeId) {
    for (com.hazelcast.cluster.Member m : hz.getCluster().getMembers()) {
      if (m.localMember()) {
        return;
      }
      if (nodeId.equals(m.getAttribute(HzMemberConfig.NODE_ATTRIBUTE))) {
        throw new IllegalStateException("node id " + nodeId + " is already used by the member at "
            + m.getAddress().getHost() + ":" + m.getAddress().getPort() + "; --node must be unique in the cluster");
      }
    }
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public AffinityTable affinity() {
    return affinity;
  }

  @Override
  public HazelcastHealthBoard health() {
    return health;
  }

  @Override
  public HazelcastConnectionCounts connections() {
    return connections;
  }

  @Override
  public RuntimeState runtime() {
    return runtime;
  }

  @Override
  public UsageExchange usage() {
    return usage;
  }

  @Override
  public ClientConnectionCounts clientConnections() {
    return clientConnections;
  }

  @Override
  public QuicPeers quic() {
    return quic;
  }

  @Override
  public HazelcastMembership membership() {
    return membership;
  }

  /** Alarms about members that are not trusted (see {@link HazelcastMembership}). */
  public List<String> alarms() {
    return membership.alarms();
  }

  /** How this node's configuration differs from the coordinator's, one line per field; empty when it agrees. */
  @Override
  public List<String> configMismatches() {
    return configMismatches;
  }

  /** This node's configuration fingerprint. */
  public ConfigFingerprint fingerprint() {
    return fingerprint;
  }

  HazelcastInstance instance() {
    return hz;
  }

  /**
   * {@code control} as the parts see it: nothing runs once the cluster is closing, and a task that races the close
   * (the member stops under it) ends at DEBUG instead of reaching the event loop as an unhandled exception.
   */
  private Executor untilClosed(Executor control) {
    return task -> {
      if (closed.get()) {
        return;
      }
      control.execute(() -> {
        if (closed.get()) {
          return;
        }
        try {
          task.run();
        } catch (HazelcastInstanceNotActiveException e) {
          LOG.debug("cluster callback dropped, the member is stopping: {}", e.toString());
        }
      });
    };
  }

  /**
   * Leaves the cluster gracefully: this node's counts are withdrawn and its partitions handed over. Blocks for
   * Hazelcast's shutdown (seconds): call it off the event loops, after whatever uses the cluster on timers stopped.
   * A second call does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Object part : new Object[] {affinity, runtime}) {
      if (part instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.debug("closing {}: {}", part.getClass().getSimpleName(), e.toString());
        }
      }
    }
    io.shutdownNow();
    try {
      connections.withdraw();
      clientConnections.withdraw();
      quic.withdraw();
    } catch (RuntimeException e) {
      LOG.debug("connection counts not withdrawn: {}", e.toString());
    }
    hz.shutdown();
  }

  /** Stops the member at once, as a crash would (tests). */
  @Override
  public void terminate() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    io.shutdownNow();
    hz.getLifecycleService().terminate();
  }

  private synchronized void checkConfig() {
    String coordinator = membership.coordinator();
    com.hazelcast.cluster.Member reference = coordinator == null ? null : membership.member(coordinator);
    List<String> found = List.of();
    if (reference != null && !reference.localMember()) {
      String summary = reference.getAttribute(HzMemberConfig.SUMMARY_ATTRIBUTE);
      ConfigFingerprint theirs = ConfigFingerprint.parse(summary == null ? "" : summary);
      found = List.copyOf(ConfigFingerprint.mismatches(coordinator, theirs, nodeId, fingerprint));
    }
    if (!found.isEmpty() && !found.equals(configMismatches)) {
      LOG.error("configuration of node {} differs from the coordinator {}: {}", nodeId, coordinator,
          String.join("; ", found));
    }
    configMismatches = found;
  }
}
