package io.tandem.cluster.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.Membership;
import io.tandem.testing.HzTestNodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HazelcastMembershipTest {
  private HzTestNodes nodes;

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void membersSeeEachOtherOldestIsCoordinatorAndQuorumFollowsMembers() {
    nodes = new HzTestNodes(2, 2);
    HazelcastCluster n1 = nodes.start("n1");
    assertEquals(List.of("n1"), ids(n1));
    assertFalse(n1.membership().hasQuorum());
    List<String> events = new CopyOnWriteArrayList<>();
    n1.membership().addListener(members -> events.add(Thread.currentThread().getName() + " " + members.size()));

    HazelcastCluster n2 = nodes.start("n2");
    await().atMost(Duration.ofSeconds(10)).until(() -> ids(n1).size() == 2 && ids(n2).size() == 2);
    assertEquals(List.of("n1", "n2"), ids(n1));
    assertEquals(List.of("n1", "n2"), ids(n2));
    assertEquals("n1", n1.membership().coordinator());
    assertEquals("n1", n2.membership().coordinator());
    assertTrue(n1.membership().members().get(0).local());
    assertFalse(n2.membership().members().get(0).local());
    assertEquals("127.0.0.1:" + nodes.nodes.get(1).clusterPort(), n1.membership().members().get(1).address());
    assertTrue(n1.membership().hasQuorum());
    assertTrue(n2.membership().hasQuorum());
    await().until(() -> events.contains("control 2"));

    nodes.stop(n1);
    await().atMost(Duration.ofSeconds(10)).until(() -> ids(n2).equals(List.of("n2")));
    assertEquals("n2", n2.membership().coordinator());
    assertFalse(n2.membership().hasQuorum());
    assertTrue(n2.alarms().isEmpty());
  }

  @Test
  void memberClaimingAnotherNodesIdIsReportedAndIgnored() {
    nodes = new HzTestNodes(2, 1);
    HazelcastCluster n1 = nodes.start("n1");
    // Started with the wrong --node: it binds n2's address but calls itself n1.
    var n2Address = nodes.nodes.get(1);
    var impostor = new io.tandem.config.ClusterConfig.NodeEntry("n1", n2Address.clusterHost(),
        n2Address.clusterPort(), null, 0);
    nodes.start(nodes.config(n1.instance().getConfig().getClusterName(), "n1",
        List.of(impostor, new io.tandem.config.ClusterConfig.NodeEntry("n0", "127.0.0.1",
            nodes.nodes.get(0).clusterPort(), null, 0))));
    await().atMost(Duration.ofSeconds(10)).until(() -> !n1.alarms().isEmpty());
    assertEquals(List.of("member " + n2Address.clusterAddress() + " claims node id n1 but its address is configured"
        + " for node n2; it is ignored by every decision (Hazelcast cannot refuse it)"), n1.alarms());
    assertEquals(List.of("n1"), ids(n1));
    assertTrue(n1.membership().hasQuorum(), "one trusted member is enough with min-members 1");
  }

  @Test
  void memberFromAnUnlistedAddressIsReportedAndIgnored() {
    nodes = new HzTestNodes(2, 2);
    HazelcastCluster n1 = nodes.start("n1");
    // A stray process with the same cluster name that lists n1 as a peer: Hazelcast lets it in.
    var stray = HzTestNodes.entry("n9");
    HazelcastCluster n9 = nodes.start(nodes.config(n1.instance().getConfig().getClusterName(), "n9",
        List.of(nodes.nodes.get(0), stray)));
    await().atMost(Duration.ofSeconds(10)).until(() -> n1.instance().getCluster().getMembers().size() == 2);
    await().until(() -> !n1.alarms().isEmpty());
    assertEquals(List.of("member 127.0.0.1:" + stray.clusterPort()
        + " (node id n9) joined from an address that is not in the configured nodes list;"
        + " it is ignored by every decision (Hazelcast cannot refuse it)"), n1.alarms());
    assertEquals(List.of("n1"), ids(n1));
    assertFalse(n1.membership().hasQuorum(), "the stray member does not count towards quorum");
    assertTrue(n1.health().isChecker("web", "b1"));
    assertTrue(n1.health().isChecker("web", "b2"));
    // From the stray's side, n1 is where n1 is configured, so n1 is trusted there.
    assertEquals(List.of("n1", "n9"), ids(n9));
  }

  private static List<String> ids(HazelcastCluster node) {
    return node.membership().members().stream().map(Membership.Member::nodeId).toList();
  }
}
