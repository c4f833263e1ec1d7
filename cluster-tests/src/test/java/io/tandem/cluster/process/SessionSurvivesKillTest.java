package io.tandem.cluster.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.Sessions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue scenario 1 with real processes: a session learned through n1 goes to the same backend through n2 and n3,
 * immediately and after n1 died with {@code kill -9}. Also measures failure detection: from the kill until each
 * survivor logs the new member list (heartbeat 1 s, failure timeout 3 s).
 */
class SessionSurvivesKillTest {
  @TempDir
  Path dir;
  private Backends backends;
  private ProcessCluster cluster;
  private final Sessions client = new Sessions();

  @BeforeEach
  void backends() {
    backends = Backends.start(true);
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (backends != null) {
      backends.close();
    }
  }

  @Test
  void sessionLearnedThroughN1SurvivesItsKill9() throws Exception {
    cluster = new ProcessCluster(dir, List.of("127.0.0.1", "127.0.0.1", "127.0.0.1"),
        ProcessCluster.pool(backends.ports(), "    persistence: {type: none, learn-cookie: JSESSIONID}\n"));
    cluster.startAll();
    int n1 = cluster.httpPort("n1");
    int n2 = cluster.httpPort("n2");
    int n3 = cluster.httpPort("n3");

    Map<String, String> owners = new HashMap<>();
    for (int s = 0; s < 30; s++) {
      String id = "kill" + s;
      String owner = client.login(n1, id);
      owners.put(id, owner);
      assertEquals(owner, client.backendFor(n2, id), id + " through n2 right after the login");
      assertEquals(owner, client.backendFor(n3, id), id + " through n3 right after the login");
    }
    assertTrue(owners.values().stream().distinct().count() >= 2, "sessions spread over the backends: " + owners);

    int from2 = cluster.node("n2").lines().size();
    int from3 = cluster.node("n3").lines().size();
    long killedAt = System.nanoTime();
    cluster.node("n1").kill9();

    // At once, before the survivors have even noticed:
    for (Map.Entry<String, String> e : owners.entrySet()) {
      assertEquals(e.getValue(), client.backendFor(n2, e.getKey()), e.getKey() + " through n2 after the kill");
    }
    long seen2 = cluster.awaitMembers("n2", from2, List.of("n2", "n3"));
    long seen3 = cluster.awaitMembers("n3", from3, List.of("n2", "n3"));
    System.out.printf("MEASURE failure detection after kill -9 (heartbeat 1s, failure-timeout 3s): n2 %d ms, "
        + "n3 %d ms%n", TimeUnit.NANOSECONDS.toMillis(seen2 - killedAt),
        TimeUnit.NANOSECONDS.toMillis(seen3 - killedAt));

    // After n1 is declared dead and its partitions are served from their backups:
    for (Map.Entry<String, String> e : owners.entrySet()) {
      assertEquals(e.getValue(), client.backendFor(n2, e.getKey()), e.getKey() + " through n2 once n1 is dead");
      assertEquals(e.getValue(), client.backendFor(n3, e.getKey()), e.getKey() + " through n3 once n1 is dead");
    }
  }
}
