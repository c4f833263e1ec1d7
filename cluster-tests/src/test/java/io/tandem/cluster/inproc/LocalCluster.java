package io.tandem.cluster.inproc;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.AdminConfig;
import io.tandem.config.ClusterConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.MemberPorts;
import io.tandem.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Several real Tandem nodes (each with its own Vert.x and Hazelcast member) in this JVM, on free loopback ports, for
 * cluster tests that need no process to die.
 */
public final class LocalCluster implements AutoCloseable {
  private final String name = "test-" + Long.toHexString(System.nanoTime());
  private final List<ClusterConfig.NodeEntry> entries = new ArrayList<>();
  private final List<TandemNode> nodes = new ArrayList<>();
  private final Path stateDir;
  private String adminToken;

  LocalCluster(int size) {
    this(size, null);
  }

  /** @param stateDir where each node keeps its state file ({@code tandem-nK.state.json}), or null for none */
  public LocalCluster(int size, Path stateDir) {
    this(size, stateDir, false, null);
  }

  /**
   * @param admin      whether each node has an admin listener (on a free loopback port, in its {@code nodes[]} entry)
   * @param adminToken the admin token of every node (null: none)
   */
  LocalCluster(int size, Path stateDir, boolean admin, String adminToken) {
    this.stateDir = stateDir;
    this.adminToken = adminToken;
    for (int i = 1; i <= size; i++) {
      entries.add(new ClusterConfig.NodeEntry("n" + i, "127.0.0.1", MemberPorts.free("127.0.0.1"),
          admin ? "127.0.0.1" : null, admin ? MemberPorts.free("127.0.0.1") : 0));
    }
  }

  /** Gives every node an admin listener (known to the others) on a free port, with {@code token}; before start. */
  public LocalCluster withAdmin(String token) {
    this.adminToken = token;
    entries.replaceAll(e -> new ClusterConfig.NodeEntry(e.id(), e.clusterHost(), e.clusterPort(), "127.0.0.1",
        MemberPorts.free("127.0.0.1")));
    return this;
  }

  TandemConfig config(String nodeId, TestConfigs.ListenerBuilder listener, TestConfigs.PoolBuilder... pools) {
    TandemConfig base = TestConfigs.config(1, listener, pools);
    ClusterConfig cluster = new ClusterConfig(name, nodeId, entries, Duration.ofSeconds(1), Duration.ofSeconds(4),
        1, stateDir == null ? null : stateDir.resolve("tandem-" + nodeId + ".state.json"));
    ClusterConfig.NodeEntry self = cluster.self();
    AdminConfig admin = self.adminHost() == null ? AdminConfig.NONE
        : AdminConfig.listen(self.adminHost(), self.adminPort(), adminToken);
    return new TandemConfig(null, base.node(), base.listeners(), base.pools(), base.accessLog(), cluster, admin);
  }

  /** Starts every node with the same pool, one after the other (the first is the oldest member). */
  public List<TandemNode> start(TestConfigs.PoolBuilder pool) throws Exception {
    return start(TestConfigs.listener("web"), pool);
  }

  /** Starts every node with the same listener and pools, one after the other (the first is the oldest member). */
  public List<TandemNode> start(TestConfigs.ListenerBuilder listener, TestConfigs.PoolBuilder... pools) throws Exception {
    for (ClusterConfig.NodeEntry e : entries) {
      nodes.add(TandemNode.start(config(e.id(), listener, pools)).await(60, TimeUnit.SECONDS));
    }
    return nodes;
  }

  @Override
  public void close() throws Exception {
    for (TandemNode n : nodes) {
      n.shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    }
    nodes.clear();
  }
}
