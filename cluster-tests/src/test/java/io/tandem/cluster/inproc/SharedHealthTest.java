package io.tandem.cluster.inproc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.HealthConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue scenario 3: a backend that dies stops receiving requests from every node within the check interval plus
 * propagation, and comes back on every node. One node owns each backend's probe; the verdict is shared.
 */
class SharedHealthTest {
  private static final Duration INTERVAL = Duration.ofMillis(250);
  private static final Duration TIMEOUT = Duration.ofMillis(200);
  private static final int FALL = 2;
  private static final int RISE = 2;
  /** Probes needed to change the verdict, the probe timeout, and a second for propagation and a slow machine. */
  private static final Duration WITHIN = INTERVAL.multipliedBy(FALL + 1).plus(TIMEOUT).plusSeconds(1);

  private final Vertx vertx = Vertx.vertx();
  private final List<FakeBackend> backends = new ArrayList<>();
  private final Map<String, Integer> healthStatus = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private LocalCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    backends.forEach(FakeBackend::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static boolean healthy(TandemNode node, String backend) {
    return node.registry().snapshot().pool("app").byId().get(backend).healthy();
  }

  private FakeBackend backend(String id) {
    return backends.stream().filter(b -> b.name().equals(id)).findFirst().orElseThrow();
  }

  /** Application requests (not probes) each backend received; forgets them. */
  private Map<String, Long> served() {
    Map<String, Long> counts = new java.util.TreeMap<>();
    for (FakeBackend b : backends) {
      counts.put(b.name(), b.received().stream().filter(r -> !r.uri().equals("/health")).count());
      b.clearReceived();
    }
    return counts;
  }

  private void sendThrough(TandemNode node, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + node.port("web") + "/x" + i)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
    }
  }

  /** Waits until every node has the verdict; returns the milliseconds each took from {@code since}. */
  private List<Long> awaitVerdict(List<TandemNode> nodes, String backend, boolean expected, long since) {
    List<Long> took = new ArrayList<>();
    for (TandemNode node : nodes) {
      await().atMost(WITHIN).pollInterval(Duration.ofMillis(5)).until(() -> healthy(node, backend) == expected);
      took.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
    }
    return took;
  }

  @Test
  void aDeadBackendLeavesEveryNodeAndComesBackOnEveryNode() throws Exception {
    TestConfigs.PoolBuilder pool = TestConfigs.pool("app").health(new HealthConfig(new HealthConfig.Active(
        HealthConfig.CheckType.HTTP, "GET", "/health", null, 200, 299, null, INTERVAL, TIMEOUT, RISE, FALL), null));
    for (String id : List.of("b1", "b2", "b3")) {
      FakeBackend b = FakeBackend.start(vertx, id);
      healthStatus.put(id, 200);
      b.behavior(req -> req.uri().equals("/health") ? Action.respond(healthStatus.get(id)) : Action.echo());
      backends.add(b);
      pool.backend(id, b.port());
    }
    cluster = new LocalCluster(3);
    List<TandemNode> nodes = cluster.start(pool);
    for (TandemNode node : nodes) {
      await().atMost(Duration.ofSeconds(10)).until(() -> healthy(node, "b1") && healthy(node, "b2")
          && healthy(node, "b3"));
    }

    // b2 answers 503 to its health path: one node's probe notices, every node stops sending to it.
    long failedAt = System.nanoTime();
    healthStatus.put("b2", 503);
    List<Long> down = awaitVerdict(nodes, "b2", false, failedAt);
    served();
    for (TandemNode node : nodes) {
      sendThrough(node, 6);
    }
    assertEquals(0L, served().get("b2"), "no node sends to the unhealthy b2");

    // b3 dies altogether (its port closes).
    long diedAt = System.nanoTime();
    backend("b3").stop();
    List<Long> dead = awaitVerdict(nodes, "b3", false, diedAt);

    // b2 recovers: every node sends to it again.
    long recoveredAt = System.nanoTime();
    healthStatus.put("b2", 200);
    List<Long> up = awaitVerdict(nodes, "b2", true, recoveredAt);
    for (TandemNode node : nodes) {
      served();
      sendThrough(node, 6);
      Map<String, Long> counts = served();
      assertTrue(counts.get("b2") > 0, "b2 serves again through " + node.config().nodeId() + ": " + counts);
      assertEquals(0L, counts.get("b3"), "nothing goes to the dead b3");
    }
    System.out.printf("MEASURE shared health (interval %d ms, timeout %d ms, fall %d, rise %d), ms until n1,n2,n3 "
        + "applied the verdict: b2 503 -> down %s; b3 port closed -> down %s; b2 200 -> up %s%n", INTERVAL.toMillis(),
        TIMEOUT.toMillis(), FALL, RISE, down, dead, up);
  }
}
