package io.tandem.cluster.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.affinity.AffinityTable;
import io.tandem.cluster.HealthBoard.CheckResult;
import io.tandem.cluster.HealthBoard.HealthDetail;
import io.tandem.cluster.HealthState;
import io.tandem.cluster.Membership;
import io.tandem.config.ClusterConfig;
import io.tandem.testing.HzTestCluster;
import io.tandem.testing.HzTestNodes;
import io.tandem.util.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the admin API reads from the shared state, seen from another member than the one that wrote it.
 *
 * <p>No assertion here reads the wall clock: the times the members stamp (a verdict's since, when a node's counts
 * were last heard, a member's start, a binding's since and last use) are checked by the relations that hold whatever
 * the clock says: set, the same on every member, kept or moved by what the test does. The Hazelcast classes read
 * {@code System.currentTimeMillis()} and Hazelcast's own entry times, which only a JVM-wide system property could
 * replace, so an injected wall clock would cover half of them; check results carry the times the test gives them.
 */
class ClusterAdminFactsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private HzTestNodes nodes;

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private List<HazelcastCluster> start(int count) {
    nodes = new HzTestNodes(count, 1);
    List<HazelcastCluster> started = nodes.nodes.stream().map(e -> nodes.start(e.id())).toList();
    await().atMost(WAIT).until(() -> started.stream().allMatch(n -> n.membership().members().size() == count));
    return started;
  }

  @Test
  void healthDetailShowsVerdictSinceChecksAndSuspectsOnAnotherMember() {
    List<HazelcastCluster> all = start(2);
    HazelcastCluster n1 = all.get(0);
    HazelcastCluster n2 = all.get(1);
    String id = ownedBy(n1);
    HealthDetail none = n2.health().detail("web", id);
    assertEquals(new HealthDetail(HealthState.PENDING, null, 0, List.of(), List.of()), none);

    long at = 1_000_000;   // when the checks ran, as the checker reports it
    n1.health().publish("web", id, HealthState.UNHEALTHY);
    n1.health().publishCheck("web", id, new CheckResult(null, false, "connection refused", 812, at));
    await().atMost(WAIT).until(() -> n2.health().detail("web", id).checks().size() == 1
        && n2.health().verdict("web", id) == HealthState.UNHEALTHY);
    HealthDetail seen = n2.health().detail("web", id);
    assertEquals("n1", seen.publishedBy());
    assertTrue(seen.sinceMillis() > 0, seen.toString());
    assertEquals(seen.sinceMillis(), n1.health().detail("web", id).sinceMillis(), "the publisher's stamp, everywhere");
    assertEquals(List.of(new CheckResult("n1", false, "connection refused", 812, at)), seen.checks());

    // n2's traffic ejected it, and so did n1's: both are suspects everywhere until the verdict changes.
    n2.health().reportSuspect("web", id);
    n1.health().reportSuspect("web", id);
    await().atMost(WAIT).until(() -> n1.health().detail("web", id).suspects().equals(List.of("n1", "n2"))
        && n2.health().detail("web", id).suspects().equals(List.of("n1", "n2")));

    // Another node publishing the same state (checker moved) keeps "since"; a change resets it and the suspects.
    n2.health().publish("web", id, HealthState.UNHEALTHY);
    await().atMost(WAIT).until(() -> "n2".equals(n1.health().detail("web", id).publishedBy()));
    assertEquals(seen.sinceMillis(), n1.health().detail("web", id).sinceMillis());
    n1.health().publish("web", id, HealthState.HEALTHY);
    n1.health().publishCheck("web", id, new CheckResult(null, true, "status 200", 640, at + 1));
    await().atMost(WAIT).until(() -> n2.health().verdict("web", id) == HealthState.HEALTHY
        && n2.health().detail("web", id).checks().get(0).ok());
    HealthDetail healthy = n2.health().detail("web", id);
    assertTrue(healthy.sinceMillis() >= seen.sinceMillis());
    assertEquals(List.of(), healthy.suspects());
    assertEquals("status 200", healthy.checks().get(0).detail());

    // Each checking node keeps its own entry; withdrawing removes only this node's.
    n2.health().publishCheck("web", id, new CheckResult(null, true, "status 200", 700, at + 2));
    await().atMost(WAIT).until(() -> n1.health().detail("web", id).checks().size() == 2);
    assertEquals(List.of("n1", "n2"), n1.health().detail("web", id).checks().stream().map(CheckResult::node).toList());
    n2.health().withdrawCheck("web", id);
    await().atMost(WAIT).until(() -> n1.health().detail("web", id).checks().size() == 1);
    assertEquals("n1", n1.health().detail("web", id).checks().get(0).node());
  }

  @Test
  void anUnchangedCheckResultIsWrittenAtMostEveryRefreshPeriod() {
    List<HazelcastCluster> all = start(1);
    HazelcastCluster n1 = all.get(0);
    var stats = n1.instance().getReplicatedMap(HazelcastCheckResults.MAP);
    long t = 1_000_000;   // the results' own times decide what is rewritten
    n1.health().publishCheck("web", "b1", new CheckResult(null, true, "status 200", 500, t));
    n1.health().publishCheck("web", "b1", new CheckResult(null, true, "status 200", 900, t + 1000));
    n1.health().publishCheck("web", "b1", new CheckResult(null, false, "status 500", 900, t + 2000));
    n1.health().publishCheck("web", "b1",
        new CheckResult(null, false, "status 500", 900, t + 2000 + HazelcastCheckResults.REFRESH_MILLIS));
    await().atMost(WAIT).until(() -> n1.health().detail("web", "b1").checks().stream()
        .anyMatch(c -> c.atMillis() == t + 2000 + HazelcastCheckResults.REFRESH_MILLIS));
    assertEquals(3, stats.getReplicatedMapStats().getPutOperationCount());
  }

  @Test
  void connectionCountsPerNodeAndWhenEachWasLastHeard() {
    List<HazelcastCluster> all = start(3);
    HazelcastCluster n1 = all.get(0);
    HazelcastCluster n2 = all.get(1);
    HazelcastCluster n3 = all.get(2);
    n1.connections().localSource(() -> Map.of("web/b1", 2));
    n3.connections().localSource(() -> Map.of("web/b1", 5, "web/b2", 1));
    n2.connections().localSource(Map::of);

    await().atMost(WAIT).until(() -> n2.connections().perNode("web", "b1").equals(Map.of("n1", 2, "n3", 5)));
    assertEquals(Map.of("n1", 0, "n3", 1), n2.connections().perNode("web", "b2"));
    assertEquals(Map.of("n2", 0, "n3", 5), n1.connections().perNode("web", "b1"), "own count not included");
    await().atMost(WAIT).until(() -> n2.connections().lastPublished().keySet().equals(java.util.Set.of("n1", "n3")));
    long heardN1 = n2.connections().lastPublished().get("n1");
    assertTrue(heardN1 > 0 && n2.connections().lastPublished().get("n3") > 0, n2.connections().lastPublished()
        .toString());
    // Unchanged counts are republished as a keep-alive at least every second: when n1 was last heard moves on.
    await().atMost(WAIT).until(() -> n2.connections().lastPublished().get("n1") > heardN1);

    nodes.stop(n3);
    await().atMost(WAIT).until(() -> n2.connections().perNode("web", "b1").equals(Map.of("n1", 2)));
    assertFalse(n2.connections().lastPublished().containsKey("n3"));
  }

  @Test
  void everyMemberAnnouncesVersionStartAndAdminAddress() {
    HzTestNodes set = new HzTestNodes(2, 1);
    nodes = set;
    for (int i = 0; i < set.nodes.size(); i++) {
      ClusterConfig.NodeEntry e = set.nodes.get(i);
      set.nodes.set(i, new ClusterConfig.NodeEntry(e.id(), e.clusterHost(), e.clusterPort(),
          i == 0 ? "127.0.0.1" : null, i == 0 ? HzTestNodes.freePort() : 0));
    }
    String n1Admin = "127.0.0.1:" + set.nodes.get(0).adminPort();
    HazelcastCluster n1 = set.start("n1");
    HazelcastCluster n2 = set.start("n2");
    await().atMost(WAIT).until(() -> n1.membership().info().size() == 2 && n2.membership().info().size() == 2);

    Map<String, Membership.MemberInfo> info = n2.membership().info();
    assertEquals(List.of("n1", "n2"), List.copyOf(info.keySet()), "oldest first");
    assertEquals(n1Admin, info.get("n1").adminAddress());
    assertNull(info.get("n2").adminAddress(), "no admin address configured");
    for (Membership.MemberInfo m : info.values()) {
      assertEquals("dev", m.version(), "tests run from classes: no manifest");
      assertTrue(m.startedAtMillis() > 0, m.toString());
    }
    assertTrue(info.get("n1").startedAtMillis() <= info.get("n2").startedAtMillis(), "n2 started after n1: " + info);
    assertEquals(info, n1.membership().info());
  }

  @Test
  void aBindingReportsWhenItWasMadeAndLastUsed() {
    try (HzTestCluster cluster = HzTestCluster.start(2)) {
      java.util.concurrent.ExecutorService control = java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        HazelcastAffinityTable t1 = new HazelcastAffinityTable(cluster.member(0), Clock.SYSTEM, control);
        HazelcastAffinityTable t2 = new HazelcastAffinityTable(cluster.member(1), Clock.SYSTEM, control);
        assertEquals(Optional.empty(), join(t2.binding("web", "10.0.0.1")));

        join(t1.bindIfAbsent("web", "10.0.0.1", "b2", Duration.ofMinutes(5)));
        AffinityTable.Binding made = join(t2.binding("web", "10.0.0.1")).orElseThrow();
        assertEquals("b2", made.backendId());
        assertTrue(made.sinceMillis() > 0, made.toString());
        assertEquals(made.sinceMillis(), join(t1.binding("web", "10.0.0.1")).orElseThrow().sinceMillis(),
            "since is the map's, the same from either member");
        assertTrue(made.lastUsedMillis() >= made.sinceMillis());

        // A request on n2 uses the binding (from n2's cache): n2 reports the later use, since stays. The times are
        // the map's entry times (Hazelcast's wall clock, whole seconds) and this node's last use on the wall clock:
        // nothing to move by hand, so the test waits (bounded) for the wall clock to pass the first reading.
        await().atMost(WAIT).until(() -> System.currentTimeMillis() > made.lastUsedMillis() + 5);
        await().atMost(WAIT).until(() -> "b2".equals(t2.lookup("web", "10.0.0.1")));
        AffinityTable.Binding used = join(t2.binding("web", "10.0.0.1")).orElseThrow();
        assertEquals(made.sinceMillis(), used.sinceMillis());
        assertTrue(used.lastUsedMillis() > made.lastUsedMillis(), used + " after " + made);

        // A rebind is a new binding: since moves (to the next whole second at least).
        await().atMost(WAIT).until(() -> System.currentTimeMillis() / 1000 > made.sinceMillis() / 1000);
        join(t2.rebind("web", "10.0.0.1", "b3", Duration.ofMinutes(5)));
        AffinityTable.Binding rebound = join(t1.binding("web", "10.0.0.1")).orElseThrow();
        assertEquals("b3", rebound.backendId());
        assertTrue(rebound.sinceMillis() > made.sinceMillis(), rebound + " after " + made);
        t1.close();
        t2.close();
      } finally {
        control.shutdownNow();
      }
    }
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
  }

  private static String ownedBy(HazelcastCluster node) {
    for (int i = 0; ; i++) {
      if (node.health().isChecker("web", "b" + i)) {
        return "b" + i;
      }
    }
  }
}
