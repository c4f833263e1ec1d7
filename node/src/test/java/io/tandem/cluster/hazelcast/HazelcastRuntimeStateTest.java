package io.tandem.cluster.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.spi.merge.MergingValue;
import io.tandem.cluster.AdminState;
import io.tandem.cluster.BackendChange;
import io.tandem.cluster.RuntimeState;
import io.tandem.cluster.StateFile;
import io.tandem.testing.HzTestCluster;
import io.tandem.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HazelcastRuntimeStateTest {
  private static final ExecutorService CONTROL = Executors.newFixedThreadPool(2);

  @TempDir
  Path dir;

  @AfterAll
  static void stopControl() {
    CONTROL.shutdownNow();
  }

  private HazelcastRuntimeState node(HzTestCluster cluster, int index) {
    HazelcastRuntimeState state = new HazelcastRuntimeState(cluster.member(index), "n" + (index + 1),
        file(index), CONTROL);
    state.ready().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    return state;
  }

  private StateFile file(int index) {
    return new StateFile(dir.resolve("n" + (index + 1) + "-state.json"));
  }

  private static long apply(RuntimeState state, BackendChange change) {
    return state.apply(change).toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
  }

  @Test
  void drainAppliedOnOneNodeIsSeenOnAnotherWithItsVersionAndSaved() {
    try (HzTestCluster cluster = HzTestCluster.start(2)) {
      HazelcastRuntimeState n1 = node(cluster, 0);
      HazelcastRuntimeState n2 = node(cluster, 1);
      List<Map<String, BackendChange>> heardOnN2 = new CopyOnWriteArrayList<>();
      n2.addListener(heardOnN2::add);
      apply(n1, BackendChange.weight("web", "b1", 7));

      long version = apply(n1, BackendChange.state("web", "b1", AdminState.DRAINING));

      assertEquals(2, version);
      await().atMost(HzTestCluster.TIMEOUT).until(() -> n2.version() == version);
      BackendChange seen = n2.current().get("web/b1");
      assertEquals(AdminState.DRAINING, seen.state());
      assertEquals(7, seen.weight());   // the drain kept the earlier weight change
      assertEquals(version, seen.version());
      assertEquals("n1", seen.node());
      assertTrue(seen.atMillis() > 0);
      await().atMost(HzTestCluster.TIMEOUT).until(() -> heardOnN2.size() == 2);
      assertEquals(n2.current(), heardOnN2.get(1));
      assertEquals(new StateFile.State(version, n2.current()), file(1).read());
      assertEquals(new StateFile.State(version, n1.current()), file(0).read());
    }
  }

  @Test
  void versionsStrictlyIncreaseUnderConcurrentAppliesFromTwoNodes() {
    try (HzTestCluster cluster = HzTestCluster.start(2)) {
      HazelcastRuntimeState n1 = node(cluster, 0);
      HazelcastRuntimeState n2 = node(cluster, 1);
      List<CompletableFuture<Long>> pending = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        pending.add(n1.apply(BackendChange.weight("web", "b" + i, 1 + i)).toCompletableFuture());
        pending.add(n2.apply(BackendChange.weight("api", "b" + i, 1 + i)).toCompletableFuture());
      }
      TreeSet<Long> versions = new TreeSet<>();
      pending.forEach(f -> versions.add(f.orTimeout(20, TimeUnit.SECONDS).join()));

      assertEquals(LongStream.rangeClosed(1, 40).boxed().toList(), List.copyOf(versions));
      await().atMost(HzTestCluster.TIMEOUT).until(() -> n1.version() == 40 && n2.version() == 40);
      assertEquals(40, n1.current().size());
      assertEquals(n1.current(), n2.current());
    }
  }

  @Test
  void changesComeBackAfterTheWholeClusterRestartsAndTheHighestSavedVersionWins() {
    Map<String, BackendChange> before;
    try (HzTestCluster cluster = HzTestCluster.start(2)) {
      HazelcastRuntimeState n1 = node(cluster, 0);
      HazelcastRuntimeState n2 = node(cluster, 1);
      apply(n1, BackendChange.state("web", "b1", AdminState.DRAINING));
      apply(n2, BackendChange.state("web", "b2", AdminState.DISABLED));
      apply(n1, BackendChange.weight("web", "b3", 9));
      await().atMost(HzTestCluster.TIMEOUT).until(() -> file(0).read().version() == 3
          && file(1).read().version() == 3);
      before = n1.current();
      cluster.shutdown(0);
      cluster.shutdown(1);
    }
    // n1 was down for the last two changes: its file is older. n1 starts first and offers it.
    BackendChange drain = before.get("web/b1");
    file(0).write(new StateFile.State(1, Map.of(drain.key(), drain)));

    try (HzTestCluster cluster = HzTestCluster.start(2)) {
      HazelcastRuntimeState n1 = node(cluster, 0);
      HazelcastRuntimeState n2 = node(cluster, 1);
      await().atMost(HzTestCluster.TIMEOUT).until(() -> n1.version() == 3 && n2.version() == 3);
      assertEquals(before, n1.current());
      assertEquals(before, n2.current());
      assertEquals(new StateFile.State(3, before), file(0).read());

      assertEquals(4, apply(n2, BackendChange.state("web", "b1", AdminState.ENABLED)));
    }
  }

  @Test
  void aJoiningNodeTakesTheRunningClustersStateOverItsOwnFile() {
    BackendChange stale = new BackendChange("web", "b9", AdminState.DISABLED, null, 99, "n2", 1L);
    file(1).write(new StateFile.State(99, Map.of(stale.key(), stale)));
    try (HzTestCluster cluster = HzTestCluster.start(2)) {
      HazelcastRuntimeState n1 = node(cluster, 0);
      apply(n1, BackendChange.state("web", "b1", AdminState.DRAINING));

      HazelcastRuntimeState n2 = node(cluster, 1);

      await().atMost(HzTestCluster.TIMEOUT).until(() -> n2.version() == 1);
      assertEquals(n1.current(), n2.current());
      assertEquals(new StateFile.State(1, n1.current()), file(1).read());
    }
  }

  @Test
  void aCorruptStateFileIsReportedAndIgnored() throws Exception {
    Files.writeString(file(0).path(), "not json at all");
    try (HzTestCluster cluster = HzTestCluster.start(1); LogCapture log = LogCapture.of(StateFile.class)) {
      HazelcastRuntimeState n1 = node(cluster, 0);

      assertEquals(Map.of(), n1.current());
      assertEquals(0, n1.version());
      assertEquals(1, log.lines().size());
      assertTrue(log.lines().get(0).startsWith("WARN state file " + file(0).path() + " is corrupt ("),
          log.lines().get(0));
      assertEquals(1, apply(n1, BackendChange.state("web", "b1", AdminState.DRAINING)));
      assertEquals(new StateFile.State(1, n1.current()), file(0).read());
    }
  }

  @Test
  void afterASplitHealsTheStateWithTheHigherVersionWins() {
    HzHigherVersionMergePolicy policy = new HzHigherVersionMergePolicy();
    MergingValue<String> v2 = shared(2);
    MergingValue<String> v5 = shared(5);

    assertEquals(v5.getRawValue(), policy.merge(v5, v2));
    assertEquals(v5.getRawValue(), policy.merge(v2, v5));
    assertEquals(v2.getRawValue(), policy.merge(v2, null));
  }

  private static MergingValue<String> shared(long version) {
    String json = HazelcastRuntimeState.encode(new HazelcastRuntimeState.Shared(version, false, Map.of()));
    return new MergingValue<>() {
      @Override
      public String getDeserializedValue() {
        return json;
      }

      @Override
      public Object getRawValue() {
        return "raw-" + version;
      }
    };
  }
}
