package io.tandem.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.VipConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The VIP controller's decisions with a fake OS driver and a simulated network on a manual clock: who holds an
 * address, how it moves when its holder dies, is killed, stops or is cut off, preemption, quorum and the two-node
 * witness. Default timing: a beat every 50 ms, a node dead after 4 missed beats.
 */
class VipFailoverLogicTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final VipConfig.Vip VIP = vip("10.0.0.100", NODES);

  private static VipConfig.Vip vip(String address, List<String> priority) {
    return new VipConfig.Vip(address, 24, "eth0", priority, 3, Duration.ofMillis(100));
  }

  private static VipConfig activePassive(boolean preempt, VipConfig.Witness witness, VipConfig.Vip... vips) {
    return new VipConfig(List.of(new VipConfig.Group("front", VipConfig.Mode.ACTIVE_PASSIVE, preempt, List.of(vips))),
        VipConfig.DEFAULT_HEARTBEAT, VipConfig.DEFAULT_DEAD_AFTER, witness);
  }

  private static SimulatedCluster threeNodes(boolean preempt) {
    SimulatedCluster c = new SimulatedCluster(NODES, 2, activePassive(preempt, null, VIP));
    c.start("n1", "n2", "n3");
    c.settle();
    return c;
  }

  @Test
  void theFirstLiveNodeInPriorityOrderHoldsTheAddressAndAnnouncesIt() {
    SimulatedCluster c = threeNodes(true);
    c.advance(Duration.ofMillis(200));

    assertEquals(List.of("n1"), c.holders(VIP));
    assertEquals(List.of("10.0.0.100", "10.0.0.100", "10.0.0.100"), c.host("n1").announced());
    for (String node : NODES) {
      VipStatus status = c.controller(node).status().get(0);
      assertEquals("n1", status.holder(), node);
      assertEquals(node.equals("n1"), status.heldLocally());
      assertEquals("10.0.0.100/24", status.address());
      assertEquals("front", status.group());
    }
  }

  @Test
  void aKilledHolderIsReplacedAfterTheDeadAfterPeriodAndTheMoveIsRecorded() {
    SimulatedCluster c = threeNodes(true);
    long killedAt = c.clock.millis();
    c.kill("n1");

    c.advance(Duration.ofMillis(150));
    assertTrue(c.host("n2").addresses().isEmpty(), "not before 4 beats are missed");
    c.advance(Duration.ofMillis(110));

    assertTrue(c.host("n2").has(VIP));
    assertTrue(c.clock.millis() - killedAt <= 260);
    VipMove move = c.controller("n2").history().get(c.controller("n2").history().size() - 1);
    assertEquals(List.of("10.0.0.100/24", "n1", "n2", "n1 unreachable (no heartbeat for 200 ms)"),
        List.of(move.vip(), move.from(), move.to(), move.reason()));
    assertEquals("n2", c.controller("n3").status().get(0).holder());
  }

  @Test
  void aGracefulStopHandsOverAtOnceAndNeverLeavesTwoHolders() {
    SimulatedCluster c = threeNodes(true);
    c.stop("n1");

    c.advanceSafely(Duration.ofMillis(5));

    assertEquals(List.of("n2"), c.holders(VIP));
    VipMove move = c.controller("n2").history().get(c.controller("n2").history().size() - 1);
    assertEquals(List.of("n1", "n2", "n1 stopped"), List.of(move.from(), move.to(), move.reason()));
  }

  @Test
  void withPreemptTheBetterNodeTakesItBackWhenItReturnsWithoutOverlap() {
    SimulatedCluster c = threeNodes(true);
    c.kill("n1");
    c.advance(Duration.ofMillis(300));
    assertEquals(List.of("n1", "n2"), c.holders(VIP), "n1's process is gone, its address left behind");

    c.start("n1");
    assertFalse(c.host("n1").has(VIP), "a starting node removes the addresses a killed process left behind");
    c.advanceSafely(Duration.ofMillis(300));
    assertEquals(List.of("n2"), c.holders(VIP), "n1 takes it back only once it has been live for a while");
    c.advanceSafely(Duration.ofMillis(500));

    assertEquals(List.of("n1"), c.holders(VIP));
  }

  @Test
  void withoutPreemptTheLiveHolderKeepsIt() {
    SimulatedCluster c = threeNodes(false);
    c.stop("n1");
    c.advance(Duration.ofMillis(5));
    assertEquals(List.of("n2"), c.holders(VIP));

    c.start("n1");
    c.advanceSafely(Duration.ofMillis(500));

    assertEquals(List.of("n2"), c.holders(VIP));
  }

  @Test
  void aHolderCutOffFromTheOthersLosesQuorumAndReleasesWhileTheMajorityTakesOverThenItHealsBack() {
    SimulatedCluster c = threeNodes(true);
    c.network.isolate("n1", java.util.Set.of("n2", "n3"));

    c.advance(Duration.ofMillis(300));

    assertEquals(List.of("n2"), c.holders(VIP));
    assertEquals("quorum lost", c.controller("n1").history().get(c.controller("n1").history().size() - 1).reason());
    c.network.heal();
    c.advanceSafely(Duration.ofMillis(800));
    assertEquals(List.of("n1"), c.holders(VIP));
  }

  @Test
  void theDeathOfANodeThatHoldsNothingMovesNothing() {
    SimulatedCluster c = threeNodes(true);
    c.kill("n3");
    c.advance(Duration.ofMillis(300));

    c.advanceSafely(Duration.ofSeconds(2));

    assertEquals(List.of("n1"), c.holders(VIP));
    assertEquals(1, c.controller("n2").history().size(), "only the first placement: " + c.controller("n2").history());
  }

  @Test
  void aNodeAloneOfThreeHoldsNothing() {
    SimulatedCluster c = threeNodes(true);
    c.kill("n1");
    c.kill("n2");

    c.advance(Duration.ofMillis(300));

    assertEquals(List.of(), c.holders(VIP).stream().filter(n -> n.equals("n3")).toList());
    assertEquals(null, c.controller("n3").status().get(0).holder());
  }

  @Test
  void theClusterQuorumAlsoFencesHoldingEvenWhenTheBeatsSayOtherwise() {
    SimulatedCluster c = threeNodes(true);
    c.clusterQuorum = () -> false;

    c.advance(Duration.ofMillis(100));

    assertEquals(List.of(), c.holders(VIP));
  }

  @Test
  void activeActiveSpreadsOneAddressPerNodeAndASurvivorTakesADeadNodesAddress() {
    VipConfig.Vip a = vip("10.0.0.101", List.of("n1", "n2", "n3"));
    VipConfig.Vip b = vip("10.0.0.102", List.of("n2", "n3", "n1"));
    VipConfig.Vip d = vip("10.0.0.103", List.of("n3", "n1", "n2"));
    VipConfig config = new VipConfig(List.of(new VipConfig.Group("dns", VipConfig.Mode.ACTIVE_ACTIVE, true,
        List.of(a, b, d))), VipConfig.DEFAULT_HEARTBEAT, VipConfig.DEFAULT_DEAD_AFTER, null);
    SimulatedCluster c = new SimulatedCluster(NODES, 2, config);
    c.start("n1", "n2", "n3");
    c.settle();
    assertEquals(List.of(List.of("n1"), List.of("n2"), List.of("n3")), List.of(c.holders(a), c.holders(b),
        c.holders(d)));

    c.kill("n2");
    c.advance(Duration.ofMillis(300));

    assertEquals(List.of(List.of("n1"), List.of("n2", "n3"), List.of("n3")), List.of(c.holders(a), c.holders(b),
        c.holders(d)), "n2's host still has its address (no ExecStopPost in this simulation); n3 took it over");
  }

  @Test
  void aNodeThatCannotAddTheAddressReportsWhyAndTheNextInLineTakesIt() {
    SimulatedCluster c = new SimulatedCluster(NODES, 2, activePassive(true, null, VIP));
    c.host("n1").failAdd("RTNETLINK answers: Operation not permitted (needs CAP_NET_ADMIN)");
    c.start("n1", "n2", "n3");

    c.settle();

    assertEquals(List.of("n2"), c.holders(VIP));
    assertEquals("ip addr add 10.0.0.100/24 dev eth0 failed: RTNETLINK answers: Operation not permitted (needs"
        + " CAP_NET_ADMIN)", c.controller("n1").status().get(0).lastError());
  }

  @Test
  void startUpProblemsAreReportedAndMakeTheNodeIneligible() {
    SimulatedCluster c = new SimulatedCluster(NODES, 2, activePassive(true, null, VIP));
    c.host("n1").problems(List.of("interface eth0 does not exist (Device \"eth0\" does not exist.)"));
    c.start("n1", "n2", "n3");

    c.settle();

    assertEquals(List.of("n2"), c.holders(VIP));
    assertEquals(List.of("interface eth0 does not exist (Device \"eth0\" does not exist.)"),
        c.controller("n1").problems());
    assertEquals("interface eth0 does not exist (Device \"eth0\" does not exist.)",
        c.controller("n1").status().get(0).lastError());
  }

  @Test
  void aStartingNodeRemovesAddressesItDoesNotOwn() {
    SimulatedCluster c = threeNodes(true);
    c.host("n3").leftOver(VIP);
    c.stop("n3");

    c.start("n3");

    assertFalse(c.host("n3").has(VIP));
    c.settle();
    assertEquals(List.of("n1"), c.holders(VIP));
  }

  @Test
  void twoNodesNeedTheWitnessToHoldAlone() {
    VipConfig.Vip pair = vip("10.0.0.100", List.of("n1", "n2"));
    VipConfig config = activePassive(true, new VipConfig.Witness("10.0.0.1", "eth0"), pair);
    SimulatedCluster c = new SimulatedCluster(List.of("n1", "n2"), 2, config);
    c.clusterQuorum = () -> false; // Hazelcast's quorum of 2 is lost as soon as one is gone
    c.start("n1", "n2");
    c.settle();
    assertEquals(List.of("n1"), c.holders(pair));

    c.kill("n1");
    c.advance(Duration.ofMillis(300));
    assertEquals(List.of("n1", "n2"), c.holders(pair), "n1's host keeps its left-over address; n2 took over");

    c.host("n2").witnessReachable(false);
    c.advance(Duration.ofSeconds(4));
    assertFalse(c.host("n2").has(pair), "without the witness a lone node of two lets go");
  }
}
