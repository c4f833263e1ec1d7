package io.tandem.cluster.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.HealthState;
import io.tandem.testing.HzTestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HazelcastHealthBoardTest {
  private static final int BACKENDS = 40;
  private HzTestNodes nodes;
  private HazelcastCluster n1;
  private HazelcastCluster n2;

  @BeforeEach
  void start() {
    nodes = new HzTestNodes(2, 2);
    n1 = nodes.start("n1");
    n2 = nodes.start("n2");
    await().atMost(Duration.ofSeconds(10)).until(() -> n1.membership().members().size() == 2
        && n2.membership().members().size() == 2);
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void aVerdictPublishedOnOneNodeIsSeenOnTheOther() {
    String id = ownedBy(n1);
    List<String> heard = new CopyOnWriteArrayList<>();
    n2.health().addListener((pool, backend, verdict) ->
        heard.add(Thread.currentThread().getName() + " " + pool + "/" + backend));
    assertEquals(HealthState.PENDING, n2.health().verdict("web", id));

    List<Long> micros = new ArrayList<>();
    HealthState state = HealthState.HEALTHY;
    for (int i = 0; i < 20; i++) {
      HealthState next = state;
      long t0 = System.nanoTime();
      n1.health().publish("web", id, next);
      await().pollInterval(Duration.ofMillis(1)).until(() -> n2.health().verdict("web", id) == next);
      micros.add((System.nanoTime() - t0) / 1000);
      state = state == HealthState.HEALTHY ? HealthState.UNHEALTHY : HealthState.HEALTHY;
    }
    Collections.sort(micros);
    System.out.println("health verdict n1 -> n2 (publish to visible, 20 changes, poll 1 ms): min "
        + micros.get(0) + " us, median " + micros.get(10) + " us, max " + micros.get(19) + " us");

    assertEquals("n1", n2.health().published("web", id).node());
    await().until(() -> heard.size() == 20);
    assertEquals("control web/" + id, heard.get(0));
  }

  @Test
  void listenersRunningLateHearEachChangeWithTheVerdictItSet() throws Exception {
    String id = ownedBy(n1);
    List<HealthState> heard = new CopyOnWriteArrayList<>();
    n2.health().addListener((pool, backend, verdict) -> heard.add(verdict));
    n1.health().publish("web", id, HealthState.HEALTHY);
    await().until(() -> heard.equals(List.of(HealthState.HEALTHY)));

    // The control thread is busy while the backend goes down and comes back: both notifications wait behind it.
    CountDownLatch busy = new CountDownLatch(1);
    nodes.control.execute(() -> {
      try {
        busy.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    n1.health().publish("web", id, HealthState.UNHEALTHY);
    await().until(() -> n2.health().verdict("web", id) == HealthState.UNHEALTHY);
    n1.health().publish("web", id, HealthState.HEALTHY);
    await().until(() -> n2.health().verdict("web", id) == HealthState.HEALTHY);
    busy.countDown();

    await().until(() -> heard.size() == 3);
    assertEquals(List.of(HealthState.HEALTHY, HealthState.UNHEALTHY, HealthState.HEALTHY), heard,
        "a slow start after an outage needs the outage heard, however late");
  }

  @Test
  void anUnchangedVerdictIsNotWrittenAgain() {
    String id = ownedBy(n1);
    var stats = n1.instance().getReplicatedMap(HazelcastHealthBoard.MAP);
    n1.health().publish("web", id, HealthState.HEALTHY);
    await().until(() -> n1.health().verdict("web", id) == HealthState.HEALTHY);
    long puts = stats.getReplicatedMapStats().getPutOperationCount();
    n1.health().publish("web", id, HealthState.HEALTHY);
    n1.health().publish("web", "barrier", HealthState.UNHEALTHY);
    await().until(() -> n1.health().verdict("web", "barrier") == HealthState.UNHEALTHY);
    assertEquals(puts + 1, stats.getReplicatedMapStats().getPutOperationCount());
  }

  @Test
  void checkingIsSplitAcrossMembersAndMovesWhenOneLeaves() {
    int ownedByN1 = 0;
    for (int i = 0; i < BACKENDS; i++) {
      boolean one = n1.health().isChecker("web", "b" + i);
      assertNotEquals(one, n2.health().isChecker("web", "b" + i), "exactly one checker for b" + i);
      ownedByN1 += one ? 1 : 0;
    }
    assertTrue(ownedByN1 > 5 && ownedByN1 < BACKENDS - 5, "n1 checks " + ownedByN1 + " of " + BACKENDS);

    String n2s = ownedBy(n2);
    n2.health().publish("web", n2s, HealthState.UNHEALTHY);
    await().until(() -> n1.health().verdict("web", n2s) == HealthState.UNHEALTHY);
    nodes.stop(n2);
    await().atMost(Duration.ofSeconds(10)).until(() -> n1.membership().members().size() == 1);
    for (int i = 0; i < BACKENDS; i++) {
      assertTrue(n1.health().isChecker("web", "b" + i));
    }
    assertEquals(HealthState.UNHEALTHY, n1.health().verdict("web", n2s), "the last verdict holds");
  }

  @Test
  void suspectReportsReachTheOtherNodes() {
    String id = ownedBy(n1);
    List<String> atN1 = new CopyOnWriteArrayList<>();
    List<String> atN2 = new CopyOnWriteArrayList<>();
    n1.health().addSuspectListener((pool, backend) -> atN1.add(Thread.currentThread().getName() + " " + pool + "/"
        + backend));
    n2.health().addSuspectListener((pool, backend) -> atN2.add(pool + "/" + backend));
    n2.health().reportSuspect("web", id);
    n1.health().reportSuspect("web", "own-report");
    await().until(() -> atN1.size() == 1 && atN2.size() == 1);
    assertEquals(List.of("control web/" + id), atN1);
    assertEquals(List.of("web/own-report"), atN2);
  }

  private static String ownedBy(HazelcastCluster node) {
    for (int i = 0; ; i++) {
      if (node.health().isChecker("web", "b" + i)) {
        return "b" + i;
      }
    }
  }
}
