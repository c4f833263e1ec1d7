package io.tandem.testing;

import io.tandem.cluster.hazelcast.HazelcastCluster;
import io.tandem.config.AccessLogConfig;
import io.tandem.config.ClusterConfig;
import io.tandem.config.TandemConfig;
import io.tandem.util.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Real Hazelcast members in this JVM, each on its own free 127.0.0.1 port, with a 1 s heartbeat and a 4 s failure
 * timeout. Listeners run on one thread named {@code control}. {@link #close()} stops every member started.
 */
public final class HzTestNodes implements AutoCloseable {
  public final ExecutorService control = Executors.newSingleThreadExecutor(r -> new Thread(r, "control"));
  private final List<HazelcastCluster> started = new ArrayList<>();
  private final String clusterName;
  private final int minMembers;
  public final List<ClusterConfig.NodeEntry> nodes = new ArrayList<>();

  /** Nodes {@code n1..nN} of a cluster with a unique name. */
  public HzTestNodes(int count, int minMembers) {
    this.clusterName = "tandem-test-" + System.nanoTime();
    this.minMembers = minMembers;
    for (int i = 1; i <= count; i++) {
      nodes.add(entry("n" + i));
    }
  }

  public static ClusterConfig.NodeEntry entry(String id) {
    return new ClusterConfig.NodeEntry(id, "127.0.0.1", freePort(), null, 0);
  }

  public TandemConfig config(String nodeId, TestConfigs.PoolBuilder... pools) {
    return config(clusterName, nodeId, nodes, pools);
  }

  public TandemConfig config(String name, String nodeId, List<ClusterConfig.NodeEntry> members,
      TestConfigs.PoolBuilder... pools) {
    ClusterConfig cluster = new ClusterConfig(name, nodeId, members, Duration.ofSeconds(1), Duration.ofSeconds(4),
        minMembers, null);
    TestConfigs.PoolBuilder[] ps = pools.length > 0 ? pools
        : new TestConfigs.PoolBuilder[] {TestConfigs.pool("web").backend("b1", 9001).backend("b2", 9002)};
    TandemConfig base = TestConfigs.config(1, TestConfigs.listener("http").defaultPool(ps[0].build().name()), ps);
    return new TandemConfig(null, TestConfigs.nodeSettings(1, Duration.ofSeconds(1)), base.listeners(), base.pools(),
        new AccessLogConfig(false), cluster);
  }

  public HazelcastCluster start(String nodeId, TestConfigs.PoolBuilder... pools) {
    return start(config(nodeId, pools));
  }

  public HazelcastCluster start(TandemConfig config) {
    HazelcastCluster node = HazelcastCluster.start(config, Clock.SYSTEM, control);
    synchronized (started) {
      started.add(node);
    }
    return node;
  }

  /** Stops one member gracefully (so the others see it leave at once). */
  public void stop(HazelcastCluster node) {
    synchronized (started) {
      started.remove(node);
    }
    node.close();
  }

  /** Stops one member abruptly, as a crash would (no hand-over, no goodbye). */
  public void kill(HazelcastCluster node) {
    synchronized (started) {
      started.remove(node);
    }
    node.terminate();
  }

  @Override
  public void close() {
    List<HazelcastCluster> all;
    synchronized (started) {
      all = new ArrayList<>(started);
      started.clear();
    }
    // Youngest first, so no member has to take partitions back.
    for (int i = all.size() - 1; i >= 0; i--) {
      all.get(i).terminate();
    }
    control.shutdownNow();
  }

  public static int freePort() {
    return MemberPorts.free();
  }
}
