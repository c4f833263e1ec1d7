package io.tandem.cluster.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.cluster.Sessions;
import io.tandem.cluster.inproc.LocalCluster;
import io.tandem.testing.TestConfigs;
import io.tandem.cluster.AdminState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue scenario 4: a drain made on one node applies on all; after all three nodes stopped, it still holds. The drain
 * is made through n1's internal API (the admin API comes later) in a three-node cluster in this JVM; that whole
 * cluster then stops, and three processes of the built jar start from the same state files.
 */
class DrainSurvivesRestartTest {
  @TempDir
  Path dir;
  private Backends backends;
  private LocalCluster inJvm;
  private ProcessCluster processes;
  private final Sessions client = new Sessions();

  @BeforeEach
  void backends() {
    backends = Backends.start(false);
  }

  @AfterEach
  void stop() throws Exception {
    if (processes != null) {
      processes.close();
    }
    if (inJvm != null) {
      inJvm.close();
    }
    if (backends != null) {
      backends.close();
    }
  }

  /** Sends {@code n} requests through a node's port; returns how many each backend served. */
  private Map<String, Integer> spread(int port, int n) throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(Sessions.backendOf(client.get(port, "/x" + i, null)), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void drainOnOneNodeAppliesOnAllAndSurvivesAFullRestart() throws Exception {
    TestConfigs.PoolBuilder pool = TestConfigs.pool("app");
    Map<String, Integer> ports = backends.ports();
    ports.forEach(pool::backend);
    inJvm = new LocalCluster(3, dir);
    List<TandemNode> nodes = inJvm.start(pool);
    long version = nodes.get(0).registry().adminState("app", "b1", AdminState.DRAINING).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertTrue(version > 0, "the change carries a version");
    for (TandemNode node : nodes) {
      await().atMost(Duration.ofSeconds(5)).until(() ->
          node.registry().snapshot().pool("app").byId().get("b1").adminState() == AdminState.DRAINING);
      Map<String, Integer> counts = spread(node.port("web"), 6);
      assertEquals(null, counts.get("b1"), "the drained b1 gets no new request through "
          + node.config().nodeId() + ": " + counts);
    }
    inJvm.close();
    inJvm = null;
    for (String id : List.of("n1", "n2", "n3")) {
      assertTrue(Files.exists(dir.resolve("tandem-" + id + ".state.json")), "state file of " + id);
    }

    // The whole cluster is gone; three processes start from the same state files.
    processes = new ProcessCluster(dir, List.of("127.0.0.1", "127.0.0.1", "127.0.0.1"), ProcessCluster.pool(ports, ""));
    processes.startAll();
    for (String id : processes.ids()) {
      Map<String, Integer> counts = spread(processes.httpPort(id), 6);
      assertEquals(null, counts.get("b1"), "b1 is still drained through " + id + " after the restart: " + counts);
      assertEquals(6, counts.values().stream().mapToInt(Integer::intValue).sum());
    }
  }
}
