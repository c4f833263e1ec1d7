package io.tandem.cluster.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.tandem.cluster.ConfigFingerprint;
import io.tandem.cluster.Membership;
import io.tandem.config.TandemConfig;
import io.tandem.testing.HzTestNodes;
import io.tandem.testing.TestConfigs;
import io.tandem.util.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HazelcastClusterTest {
  private HzTestNodes nodes;

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void memberConfigurationComesFromTandemConfigOnly() {
    nodes = new HzTestNodes(2, 2);
    TandemConfig tandem = nodes.config("n2");
    Config config = HzMemberConfig.build(tandem, ConfigFingerprint.of(tandem), 42);
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertEquals(tandem.cluster().name(), config.getClusterName());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertEquals(List.of(nodes.nodes.get(0).clusterAddress(), nodes.nodes.get(1).clusterAddress()),
        join.getTcpIpConfig().getMembers());
    assertEquals(nodes.nodes.get(1).clusterPort(), config.getNetworkConfig().getPort());
    assertFalse(config.getNetworkConfig().isPortAutoIncrement());
    assertTrue(config.getNetworkConfig().isReuseAddress(), "a restarted node rebinds over TIME_WAIT");
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("1", config.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("4", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("log4j2", config.getProperty("hazelcast.logging.type"));
    assertEquals("n2", config.getMemberAttributeConfig().getAttribute(HzMemberConfig.NODE_ATTRIBUTE));
    assertEquals(2, config.getSplitBrainProtectionConfig(HzMemberConfig.QUORUM).getMinimumClusterSize());
  }

  @Test
  void anUnresolvableClusterHostIsReported() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> HzMemberConfig.ip("no-such-host.invalid"));
    assertEquals("cluster host no-such-host.invalid cannot be resolved", e.getMessage());
  }

  @Test
  void aStandaloneConfigurationCannotStartAMember() {
    TandemConfig standalone = TestConfigs.config(1, TestConfigs.listener("http").defaultPool("web"),
        TestConfigs.pool("web").backend("b1", 9001));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HazelcastCluster.start(standalone, Clock.SYSTEM, Runnable::run));
    assertEquals("a cluster member needs the cluster section of the configuration", e.getMessage());
  }

  @Test
  void aMemberWithAnotherClusterNameNeverJoins() {
    nodes = new HzTestNodes(2, 2);
    HazelcastCluster n1 = nodes.start("n1");
    // n2 lists n1 as its peer, but belongs to another cluster. Its start returns once its join phase is over.
    HazelcastCluster n2 = nodes.start(nodes.config("another-cluster", "n2", nodes.nodes));
    assertEquals(1, n2.instance().getCluster().getMembers().size());
    assertEquals(1, n1.instance().getCluster().getMembers().size());
    assertEquals(List.of("n1"), n1.membership().members().stream().map(Membership.Member::nodeId).toList());
    assertEquals(List.of("n2"), n2.membership().members().stream().map(Membership.Member::nodeId).toList());
  }

  @Test
  void aDifferentConfigurationIsReportedAgainstTheCoordinator() {
    nodes = new HzTestNodes(2, 2);
    HazelcastCluster n1 = nodes.start("n1", TestConfigs.pool("web").backend("b1", 9001).backend("b2", 9002));
    HazelcastCluster n2 = nodes.start("n2",
        TestConfigs.pool("web").backend("b1", 9001).backend("b2", 9002).backend("b4", 9004));
    await().atMost(Duration.ofSeconds(10)).until(() -> n2.membership().members().size() == 2);
    assertEquals(List.of(
        "pools[web].backends: n1 has [b1, b2], n2 has [b1, b2, b4]",
        "pools[web].backends[b4]: n1 has nothing, n2 has 127.0.0.1:9004"), n2.configMismatches());
    assertEquals(List.of(), n1.configMismatches(), "the coordinator is the reference");
  }
}
