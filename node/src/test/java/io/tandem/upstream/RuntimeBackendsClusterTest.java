package io.tandem.upstream;

import io.tandem.cluster.BackendConflictException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.BackendConfig;
import io.tandem.config.ClusterConfig;
import io.tandem.config.RouteConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.MemberPorts;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backends added and removed through one node of a real two-node cluster: applied everywhere, kept on restart. */
class RuntimeBackendsClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final String name = "rt-" + Long.toHexString(System.nanoTime());
  private final List<ClusterConfig.NodeEntry> entries = List.of(entry("n1"), entry("n2"));
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  Path dir;

  private static ClusterConfig.NodeEntry entry(String id) {
    return new ClusterConfig.NodeEntry(id, "127.0.0.1", MemberPorts.free(), null, 0);
  }

  private List<TandemNode> startCluster(FakeBackend b1, FakeBackend b2) throws Exception {
    List<TandemNode> nodes = new ArrayList<>();
    for (ClusterConfig.NodeEntry e : entries) {
      // Route "half" splits between pools app (b1, b2) and solo (b2).
      RouteConfig half = new RouteConfig("half", new RouteConfig.Match(List.of(), "/half/", null, List.of(),
          List.of(), List.of()), null, List.of(new RouteConfig.SplitTarget("app", 1),
          new RouteConfig.SplitTarget("solo", 1)), null, List.of(), java.util.Map.of());
      TandemConfig base = TestConfigs.config(1, TestConfigs.listener("web").defaultPool("app").route(half),
          TestConfigs.pool("app").backend("b1", b1.port()).backend("b2", b2.port()),
          TestConfigs.pool("solo").backend("s2", b2.port()));
      ClusterConfig cluster = new ClusterConfig(name, e.id(), entries, Duration.ofSeconds(1), Duration.ofSeconds(4), 1,
          dir.resolve(e.id() + ".state.json"));
      TandemConfig cfg = new TandemConfig(null, base.node(), base.listeners(), base.pools(), base.accessLog(), cluster);
      nodes.add(TandemNode.start(cfg).await(60, TimeUnit.SECONDS));
    }
    return nodes;
  }

  private static void stop(List<TandemNode> nodes) throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    }
  }

  private static void awaitApplied(List<TandemNode> nodes, long version) {
    await().atMost(WAIT).until(() -> nodes.stream().allMatch(n -> n.registry().appliedVersion() >= version));
  }

  private static long join(java.util.concurrent.CompletionStage<Long> stage) {
    return stage.toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
  }

  private String get(TandemNode node) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("web") + "/"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.headers().firstValue("x-backend").orElseThrow();
  }

  private static List<String> ids(TandemNode node) {
    return node.registry().snapshot().pool("app").backends().stream().map(Backend::id).toList();
  }

  @Test
  void splitWeightsSetThroughOneNodeApplyOnEveryNodeAndSurviveAWholeClusterRestart() throws Exception {
    Vertx vertx = Vertx.vertx();
    FakeBackend b1 = FakeBackend.start(vertx, "b1");
    FakeBackend b2 = FakeBackend.start(vertx, "b2");
    List<TandemNode> nodes = startCluster(b1, b2);
    try {
      long v = join(nodes.get(0).registry().splitWeights("web", "half", java.util.Map.of("app", 0)));
      awaitApplied(nodes, v);
      for (TandemNode n : nodes) {
        assertEquals(List.of(new RouteConfig.SplitTarget("app", 0), new RouteConfig.SplitTarget("solo", 1)),
            n.registry().snapshot().router("web").splitOf("half"));
      }
      b1.clearReceived();
      for (int i = 0; i < 10; i++) {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(1).port("web") + "/half/" + i))
            .build(), HttpResponse.BodyHandlers.ofString());
      }
      assertEquals(List.of(), b1.received(), "pool app takes no share on n2 either");
    } finally {
      stop(nodes);
    }
    nodes = startCluster(b1, b2);
    try {
      for (TandemNode n : nodes) {
        await().atMost(WAIT).until(() -> n.registry().snapshot().router("web").splitOf("half").get(0).weight() == 0);
      }
    } finally {
      stop(nodes);
      b1.close();
      b2.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void addAndRemoveApplyOnEveryNodeAndSurviveAWholeClusterRestart() throws Exception {
    Vertx vertx = Vertx.vertx();
    FakeBackend b1 = FakeBackend.start(vertx, "b1");
    FakeBackend b2 = FakeBackend.start(vertx, "b2");
    FakeBackend b3 = FakeBackend.start(vertx, "b3");
    List<TandemNode> nodes = startCluster(b1, b2);
    TandemNode n1 = nodes.get(0);
    TandemNode n2 = nodes.get(1);
    long last;
    try {
      long added = join(n1.registry().addBackend("app", new BackendConfig("b3", "127.0.0.1", b3.port(), 1, 0)));
      awaitApplied(nodes, added);
      Backend onN2 = n2.registry().snapshot().pool("app").byId().get("b3");
      assertEquals(Backend.Source.RUNTIME, onN2.source());
      assertEquals(b3.port(), onN2.port());
      List<String> seen = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        seen.add(get(n2));
      }
      assertTrue(seen.contains("b3"), "round robin through n2 reaches the added backend: " + seen);

      long removed = join(n2.registry().removeBackend("app", "b1"));
      assertTrue(removed > added);
      awaitApplied(nodes, removed);
      b1.clearReceived();
      for (int i = 0; i < 6; i++) {
        assertFalse(get(n1).equals("b1") || get(n2).equals("b1"));
      }
      assertEquals(List.of(), b1.received(), "the removed backend gets no new requests");

      // Two operators add the same id at once through different nodes: exactly one wins.
      CompletableFuture<Long> fromN1 = n1.registry().addBackend("app",
          new BackendConfig("b4", "127.0.0.1", b3.port(), 2, 0)).toCompletableFuture();
      CompletableFuture<Long> fromN2 = n2.registry().addBackend("app",
          new BackendConfig("b4", "127.0.0.1", b3.port(), 3, 0)).toCompletableFuture();
      List<Throwable> refused = new ArrayList<>();
      List<Long> versions = new ArrayList<>();
      for (CompletableFuture<Long> f : List.of(fromN1, fromN2)) {
        try {
          versions.add(f.orTimeout(20, TimeUnit.SECONDS).join());
        } catch (CompletionException e) {
          refused.add(e.getCause());
        }
      }
      assertEquals(1, versions.size(), "one add wins: " + versions + " " + refused);
      assertInstanceOf(BackendConflictException.class, refused.get(0));
      assertEquals("pool app already has a backend with id \"b4\"", refused.get(0).getMessage());
      last = versions.get(0);
      assertEquals(removed + 1, last);
      awaitApplied(nodes, last);
      assertEquals(List.of("b2", "b3", "b4"), ids(n1));
      assertEquals(ids(n1), ids(n2));
    } finally {
      stop(nodes);
    }

    nodes = startCluster(b1, b2);
    try {
      awaitApplied(nodes, last);
      for (TandemNode n : nodes) {
        assertEquals(List.of("b2", "b3", "b4"), ids(n), "runtime adds and removes come back from the state files");
        assertEquals(Backend.Source.RUNTIME, n.registry().snapshot().pool("app").byId().get("b3").source());
        assertNull(n.registry().snapshot().pool("app").byId().get("b1"));
      }
      assertEquals(last + 1, join(nodes.get(1).registry().removeBackend("app", "b4")), "versions keep rising");
    } finally {
      stop(nodes);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
