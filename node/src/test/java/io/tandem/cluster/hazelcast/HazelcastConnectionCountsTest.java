package io.tandem.cluster.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.HzTestNodes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HazelcastConnectionCountsTest {
  private HzTestNodes nodes;

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void othersCountsArriveAndLeaveWithTheirNode() {
    nodes = new HzTestNodes(3, 2);
    HazelcastCluster n1 = nodes.start("n1");
    HazelcastCluster n2 = nodes.start("n2");
    HazelcastCluster n3 = nodes.start("n3");
    await().atMost(Duration.ofSeconds(10)).until(() -> n1.membership().members().size() == 3
        && n2.membership().members().size() == 3 && n3.membership().members().size() == 3);

    AtomicInteger b1 = new AtomicInteger(3);
    long t0 = System.nanoTime();
    n1.connections().localSource(() -> Map.of("web/b1", b1.get(), "web/b2", 0));
    n3.connections().localSource(() -> Map.of("web/b1", 4));
    // How soon is printed, not asserted: a loaded machine may take longer than the ~100 ms publication interval.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
        .until(() -> n2.connections().othersActive("web", "b1") == 7);
    System.out.println("connection counts: first publication seen on n2 after " + (System.nanoTime() - t0) / 1000
        + " us");
    await().until(() -> n1.connections().othersActive("web", "b1") == 4); // n1's own 3 are not included
    assertEquals(0, n2.connections().othersActive("web", "b2"));
    // n2 knows how old each peer's latest publication is (that the keep-alive moves it on: ClusterAdminFactsTest).
    Map<String, Long> ages = n2.connections().publicationAgesMillis();
    assertEquals(java.util.Set.of("n1", "n3"), ages.keySet());
    ages.values().forEach(age -> assertTrue(age >= 0, "age " + age));
    assertEquals(0, n2.connections().othersActive("api", "b1"));

    t0 = System.nanoTime();
    b1.set(10);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
        .until(() -> n2.connections().othersActive("web", "b1") == 14);
    System.out.println("connection counts: a change seen on n2 after " + (System.nanoTime() - t0) / 1000
        + " us (publication every 100 ms)");

    // A crash: no goodbye, so the coordinator (n2 once n1 is gone) deletes n1's entry.
    nodes.kill(n1);
    await().atMost(Duration.ofSeconds(10)).until(() -> n2.connections().othersActive("web", "b1") == 4);
    assertEquals("n2", n2.membership().coordinator());
    await().until(() -> !n3.instance().getReplicatedMap(HazelcastConnectionCounts.MAP).containsKey("n1"));

    nodes.stop(n3);
    await().atMost(Duration.ofSeconds(10)).until(() -> n2.connections().othersActive("web", "b1") == 0);
    assertFalse(n2.instance().getReplicatedMap(HazelcastConnectionCounts.MAP).containsKey("n3"));
  }
}
