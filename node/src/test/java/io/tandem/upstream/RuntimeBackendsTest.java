package io.tandem.upstream;

import io.tandem.cluster.BackendConflictException;
import io.tandem.cluster.AdminState;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.affinity.CookieTokens;
import io.tandem.bootstrap.TandemNode;
import io.tandem.cluster.HealthBoard;
import io.tandem.cluster.LocalSharedState;
import io.tandem.config.BackendConfig;
import io.tandem.config.HealthConfig;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.TandemConfig;
import io.tandem.cluster.HealthState;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Backends added and removed at runtime on one node: the registry's merge, checks and versions, and real traffic. */
class RuntimeBackendsTest {
  private final ManualClock clock = new ManualClock();

  private UpstreamRegistry registry(TandemConfig config) {
    UpstreamRegistry r = new UpstreamRegistry(new LocalSharedState("n1", clock), clock, new ManualScheduler(clock),
        Runnable::run);
    r.apply(config);
    return r;
  }

  private static TandemConfig config(TestConfigs.PoolBuilder... pools) {
    return TestConfigs.config(1, TestConfigs.listener("web").defaultPool("app"), pools);
  }

  private static long join(CompletionStage<Long> stage) {
    return stage.toCompletableFuture().join();
  }

  private static Throwable failure(CompletionStage<?> stage) {
    CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    return e.getCause();
  }

  @Test
  void addedBackendJoinsThePoolAsRuntimeAndARemovedOneLeavesItAcrossReloads() {
    TandemConfig cfg = config(TestConfigs.pool("app").backend("b1", 9001).backend("b2", 9002));
    UpstreamRegistry r = registry(cfg);
    assertEquals(0, r.appliedVersion());

    long added = join(r.addBackend("app", new BackendConfig("b3", "[::1]", 9003, 5, 10)));
    assertEquals(1, added);
    assertEquals(1, r.appliedVersion());
    Backend b3 = r.snapshot().pool("app").byId().get("b3");
    assertEquals(Backend.Source.RUNTIME, b3.source());
    assertEquals("::1", b3.host());
    assertEquals(5, b3.weight());
    assertEquals(10, b3.maxConnections());
    assertEquals(Backend.Source.CONFIG, r.snapshot().pool("app").byId().get("b1").source());
    assertEquals(List.of("b1", "b2", "b3"), ids(r.effectivePools().get(0)));

    long weighted = join(r.weight("app", "b3", 7));
    long removed = join(r.removeBackend("app", "b1"));
    assertTrue(added < weighted && weighted < removed, "versions strictly increase");
    assertEquals(removed, r.appliedVersion());
    assertEquals(List.of("b2", "b3"), r.snapshot().pool("app").backends().stream().map(Backend::id).toList());
    assertEquals(7, r.snapshot().pool("app").byId().get("b3").weight(), "weight change keeps the runtime add");

    r.apply(cfg);   // a reload of the same file
    assertEquals(List.of("b2", "b3"), ids(r.effectivePools().get(0)), "a removed configured backend stays removed");

    join(r.addBackend("app", new BackendConfig("b1", "127.0.0.1", 9011, 1, 0)));
    Backend readded = r.snapshot().pool("app").byId().get("b1");
    assertEquals(9011, readded.port());
    assertEquals(Backend.Source.RUNTIME, readded.source());
    assertEquals(List.of("b1", "b2", "b3"), ids(r.effectivePools().get(0)), "re-added in its configured place");
  }

  @Test
  void poolsListenersHearEveryChangeOfThePoolsInForce() {
    UpstreamRegistry r = registry(config(TestConfigs.pool("app").backend("b1", 9001)));
    List<List<String>> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    r.addPoolsListener(pools -> heard.add(ids(pools.get(0))));
    join(r.addBackend("app", new BackendConfig("b2", "127.0.0.1", 9002, 1, 0)));
    join(r.adminState("app", "b2", AdminState.DRAINING));   // not a pool change
    join(r.removeBackend("app", "b1"));
    assertEquals(List.of(List.of("b1", "b2"), List.of("b2")), heard);
  }

  @Test
  void invalidChangesAreRefusedWithReasonsAndNothingApplied() {
    UpstreamRegistry r = registry(config(TestConfigs.pool("app").backend("b1", 9001),
        TestConfigs.pool("api").backend("a1", 9101).backend("a2", 9102)));

    Throwable unknownPool = failure(r.addBackend("apps", new BackendConfig("b9", "127.0.0.1", 9009, 1, 0)));
    assertInstanceOf(UnknownBackendException.class, unknownPool);
    assertEquals("unknown pool \"apps\"; defined pools: app, api", unknownPool.getMessage());
    Throwable conflict = failure(r.addBackend("app", new BackendConfig("b1", "127.0.0.1", 9009, 1, 0)));
    assertInstanceOf(BackendConflictException.class, conflict);
    assertEquals("pool app already has a backend with id \"b1\"", conflict.getMessage());

    assertInvalid(r, new BackendConfig(" ", "127.0.0.1", 9009, 1, 0), "id", "id must not be empty");
    assertInvalid(r, new BackendConfig("b\n9", "127.0.0.1", 9009, 1, 0), "id",
        "id must not contain control characters");
    assertInvalid(r, new BackendConfig("b9", "a host", 9009, 1, 0), "host",
        "host must be a host name or an IP address, got \"a host\"");
    assertInvalid(r, new BackendConfig("b9", null, 9009, 1, 0), "host",
        "host must be a host name or an IP address, got \"null\"");
    assertInvalid(r, new BackendConfig("b9", "127.0.0.1", 0, 1, 0), "port", "port must be between 1 and 65535, got 0");
    assertInvalid(r, new BackendConfig("b9", "127.0.0.1", 65536, 1, 0), "port",
        "port must be between 1 and 65535, got 65536");
    assertInvalid(r, new BackendConfig("b9", "127.0.0.1", 9009, 0, 0), "weight",
        "weight must be between 1 and 256, got 0");
    assertInvalid(r, new BackendConfig("b9", "127.0.0.1", 9009, 257, 0), "weight",
        "weight must be between 1 and 256, got 257");
    assertInvalid(r, new BackendConfig("b9", "127.0.0.1", 9009, 1, -1), "maxConnections",
        "maxConnections must be at least 0, got -1");

    Throwable unknownBackend = failure(r.removeBackend("api", "a9"));
    assertInstanceOf(UnknownBackendException.class, unknownBackend);
    assertEquals("pool api has no backend \"a9\"", unknownBackend.getMessage());
    assertEquals("pool api has no backend \"a9\"", failure(r.adminState("api", "a9", AdminState.DRAINING))
        .getMessage());
    InvalidBackendException weight = (InvalidBackendException) failure(r.weight("api", "a1", 300));
    assertEquals("weight", weight.field());
    assertEquals("weight must be between 1 and 256, got 300", weight.getMessage());
    Throwable last = failure(r.removeBackend("app", "b1"));
    assertInstanceOf(BackendConflictException.class, last);
    assertEquals("backend b1 is the last one of pool app; add another before removing it", last.getMessage());

    assertEquals(0, r.appliedVersion(), "nothing was applied");
    join(r.removeBackend("api", "a1"));
    assertEquals("pool api has no backend \"a1\"", failure(r.removeBackend("api", "a1")).getMessage());
  }

  private static void assertInvalid(UpstreamRegistry r, BackendConfig b, String field, String message) {
    InvalidBackendException e = assertThrows(InvalidBackendException.class, () -> r.checkAdd("app", b));
    assertEquals(field, e.field());
    assertEquals(message, e.getMessage());
    assertInstanceOf(InvalidBackendException.class, failure(r.addBackend("app", b)));
  }

  @Test
  void anAddedBackendTakesTrafficCookiesAndHealthChecksOnARealNode() throws Exception {
    Vertx vertx = Vertx.vertx();
    FakeBackend b1 = FakeBackend.start(vertx, "b1");
    FakeBackend b2 = FakeBackend.start(vertx, "b2");
    PersistenceConfig cookie = new PersistenceConfig(PersistenceConfig.Type.COOKIE,
        new PersistenceConfig.Cookie("SRV", "/", null, false, true, null, "s3cret"), null);
    HealthConfig.Active active = new HealthConfig.Active(HealthConfig.CheckType.HTTP, "GET", "/health", null, 200,
        399, null, Duration.ofMillis(50), Duration.ofSeconds(1), 1, 1);
    TandemNode node = TandemNode.start(config(TestConfigs.pool("app").backend("b1", b1.port())
        .persistence(cookie).health(new HealthConfig(active, null)))).await(10, TimeUnit.SECONDS);
    HttpClient http = HttpClient.newHttpClient();
    try {
      UpstreamRegistry r = node.registry();
      join(r.addBackend("app", new BackendConfig("b2", "127.0.0.1", b2.port(), 1, 0)));
      long v = join(r.addBackend("app", new BackendConfig("down", "127.0.0.1", FakeBackend.refusingPort(), 1, 0)));
      await().atMost(Duration.ofSeconds(10)).until(() -> r.appliedVersion() >= v);   // rebuilt on the control context

      // The added backends are checked like configured ones: b2 comes up, "down" is refused.
      await().atMost(Duration.ofSeconds(10)).until(() -> r.snapshot().pool("app").byId().get("b2").healthy()
          && !r.snapshot().pool("app").byId().get("down").healthy());
      HealthBoard.HealthDetail down = healthOf(node, "down");
      assertEquals(HealthState.UNHEALTHY, down.verdict());
      assertEquals("connection refused", down.checks().get(0).detail());

      String token = CookieTokens.token("app", "b2", "s3cret");
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + node.port("web") + "/x")).header("Cookie", "SRV=" + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("b2", res.headers().firstValue("x-backend").orElseThrow());
        assertTrue(res.headers().firstValue("set-cookie").isEmpty(), "the added backend's cookie is valid");
      }

      long removed = join(r.removeBackend("app", "down"));
      await().atMost(Duration.ofSeconds(10)).until(() -> r.appliedVersion() >= removed);
      await().atMost(Duration.ofSeconds(10)).until(() -> healthOf(node, "down").checks().isEmpty());
      assertNull(r.snapshot().pool("app").byId().get("down"));
    } finally {
      node.shutdown(Duration.ZERO).await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static HealthBoard.HealthDetail healthOf(TandemNode node, String id) {
    return node.registry().shared().health().detail("app", id);
  }

  private static List<String> ids(PoolConfig pool) {
    return pool.backends().stream().map(BackendConfig::id).toList();
  }
}
