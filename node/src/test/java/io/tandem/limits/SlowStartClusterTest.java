package io.tandem.limits;

import static org.awaitility.Awaitility.await;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.ClusterConfig;
import io.tandem.config.HealthConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.ManualClock;
import io.tandem.testing.MemberPorts;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue scenario: a backend that returns after an outage receives a growing share of the traffic over the
 * slow-start window, on every node of a three-node cluster alike (the shared health verdict starts the curve). The
 * three nodes' pool guards read one manual clock, so the curve is checked at points of the window the test sets; health
 * checking and the cluster run on real time.
 */
class SlowStartClusterTest {
  private static final Duration WINDOW = Duration.ofSeconds(60);
  private final String name = "slow-" + Long.toHexString(System.nanoTime());
  private final Vertx vertx = Vertx.vertx();
  private final List<FakeBackend> backends = new ArrayList<>();
  private final List<TandemNode> nodes = new ArrayList<>();
  private final Map<String, Integer> healthStatus = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ManualClock clock = new ManualClock();

  @AfterEach
  void stop() throws Exception {
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
    // Checks that cannot fail on a loaded machine (a 2 s time-out, three failures in a row): a backend that flapped
    // during the ramp would restart its warming (b2) or hand the requests to the warming one (b1).
    TestConfigs.PoolBuilder pool = TestConfigs.pool("app").slowStart(WINDOW).health(new HealthConfig(
        new HealthConfig.Active(HealthConfig.CheckType.HTTP, "GET", "/health", null, 200, 299, null,
            Duration.ofMillis(300), Duration.ofSeconds(2), 1, 3), null));
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
          base.accessLog(), cluster), clock).await(60, TimeUnit.SECONDS));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> healthy(n, "b2")));

    // Whatever warming the start began is over before the outage.
    clock.advance(WINDOW);

    healthStatus.put("b2", 503);
    await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().noneMatch(n -> healthy(n, "b2")));
    healthStatus.put("b2", 200);
    // Every node routes to b2 again and has it warming since now (one that is not warming has a share of 1).
    await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> healthy(n, "b2")
        && share(n).getAsDouble() == 0));

    List<DoubleSupplier> shares = new ArrayList<>();
    List<SlowStartRamp.Batch> batches = new ArrayList<>();
    for (TandemNode n : nodes) {
      shares.add(share(n));
      batches.add(SlowStartRamp.through(http, URI.create("http://127.0.0.1:" + n.port("web") + "/")));
    }
    SlowStartRamp.assertRamp(WINDOW, clock, shares, batches);
  }

  private DoubleSupplier share(TandemNode node) {
    return () -> node.poolGuards().get("app").share("b2", clock.nanoTime());
  }
}
