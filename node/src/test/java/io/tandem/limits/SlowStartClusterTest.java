package io.tandem.limits;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.ClusterConfig;
import io.tandem.config.HealthConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.MemberPorts;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue scenario: a backend that returns after an outage receives a linearly growing share of the traffic over the
 * slow-start window, on every node of a three-node cluster alike (the shared health verdict starts the curve).
 */
class SlowStartClusterTest {
  private static final Duration WINDOW = Duration.ofSeconds(6);
  private final String name = "slow-" + Long.toHexString(System.nanoTime());
  private final Vertx vertx = Vertx.vertx();
  private final List<FakeBackend> backends = new ArrayList<>();
  private final List<TandemNode> nodes = new ArrayList<>();
  private final Map<String, Integer> healthStatus = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ExecutorService clients = Executors.newFixedThreadPool(3);

  /** One answered request: which node, when (ms after the recovery was seen everywhere), which backend. */
  private record Hit(int node, long atMillis, String backend) {}

  @AfterEach
  void stop() throws Exception {
    clients.shutdownNow();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    }
    backends.forEach(FakeBackend::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static ClusterConfig.NodeEntry entry(String id) {
    return new ClusterConfig.NodeEntry(id, "127.0.0.1", MemberPorts.free(), null, 0);
  }

  private static boolean healthy(TandemNode node, String id) {
    return node.registry().snapshot().pool("app").byId().get(id).healthy();
  }

  @Test
  void aReturningBackendRampsUpOnEveryNode() throws Exception {
    TestConfigs.PoolBuilder pool = TestConfigs.pool("app").slowStart(WINDOW).health(new HealthConfig(
        new HealthConfig.Active(HealthConfig.CheckType.HTTP, "GET", "/health", null, 200, 299, null,
            Duration.ofMillis(200), Duration.ofMillis(150), 1, 1), null));
    for (String id : List.of("b1", "b2")) {
      FakeBackend b = FakeBackend.start(vertx, id);
      healthStatus.put(id, 200);
      b.behavior(req -> req.uri().equals("/health") ? Action.respond(healthStatus.get(id)) : Action.respond(200, id));
      backends.add(b);
      pool.backend(id, b.port());
    }
    List<ClusterConfig.NodeEntry> entries = List.of(entry("n1"), entry("n2"), entry("n3"));
    for (ClusterConfig.NodeEntry e : entries) {
      TandemConfig base = TestConfigs.config(1, TestConfigs.listener("web").defaultPool("app"), pool);
      ClusterConfig cluster = new ClusterConfig(name, e.id(), entries, Duration.ofSeconds(1), Duration.ofSeconds(4),
          1, null);
      nodes.add(TandemNode.start(new TandemConfig(null, base.node(), base.listeners(), base.pools(),
          base.accessLog(), cluster)).await(60, TimeUnit.SECONDS));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> healthy(n, "b2")));

    healthStatus.put("b2", 503);
    await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().noneMatch(n -> healthy(n, "b2")));
    healthStatus.put("b2", 200);
    await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> healthy(n, "b2")));
    long start = System.nanoTime();

    List<Hit> hits = new CopyOnWriteArrayList<>();
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      int node = i;
      URI uri = URI.create("http://127.0.0.1:" + nodes.get(i).port("web") + "/");
      running.add(clients.submit(() -> {
        long until = start + WINDOW.toNanos();
        while (System.nanoTime() < until) {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
          assertEquals(200, r.statusCode(), r.body());
          hits.add(new Hit(node, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), r.body().strip()));
        }
        return null;
      }));
    }
    for (Future<?> f : running) {
      f.get(WINDOW.toSeconds() + 30, TimeUnit.SECONDS);
    }

    // b2's share of each node's traffic, per third of the window: round robin over two backends gives it 50% once
    // the window is over; during it, about 50% x (elapsed / window).
    long third = WINDOW.toMillis() / 3;
    StringBuilder report = new StringBuilder();
    for (int node = 0; node < nodes.size(); node++) {
      double[] share = new double[3];
      for (int t = 0; t < 3; t++) {
        int n = node;
        long from = t * third;
        List<Hit> in = hits.stream().filter(h -> h.node() == n && h.atMillis() >= from && h.atMillis() < from + third)
            .toList();
        share[t] = in.isEmpty() ? Double.NaN : in.stream().filter(h -> h.backend().equals("b2")).count()
            / (double) in.size();
      }
      report.append(String.format(" n%d: %.2f %.2f %.2f;", node + 1, share[0], share[1], share[2]));
      String which = "b2's share of n" + (node + 1) + "'s requests per third of the window:" + report;
      assertTrue(share[0] < share[2], which);
      assertTrue(share[0] < 0.35, which);   // the first third's ideal average is 50% x 1/6 = 8%
      assertTrue(share[2] > 0.2, which);    // the last third's ideal average is 50% x 5/6 = 42%
    }
    System.out.println("MEASURE slow start " + WINDOW.toSeconds() + " s, b2's share per third of the window:" + report
        + " ideal averages 0.08 0.25 0.42");
  }
}
