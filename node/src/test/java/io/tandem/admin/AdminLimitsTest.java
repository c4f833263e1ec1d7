package io.tandem.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.AdminConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.RateLimitConfig;
import io.tandem.config.RouteConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.AdminClient;
import io.tandem.testing.AdminFixture;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.RawHttp;
import io.tandem.testing.TestConfigs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/limits} and {@code /limits/rate} of a real node that refuses requests: a rate-limit rule, a
 * per-client connection cap and a pool whose breaker opens.
 */
class AdminLimitsTest {
  private static final RateLimitConfig LIMITED = new RateLimitConfig("limited", "/limited", null, null,
      RateLimitConfig.Key.SOURCE, null, 3, Duration.ofMinutes(1), 3, 1000);
  private AdminFixture f;

  @BeforeEach
  void start() throws Exception {
    TestConfigs.ListenerBuilder web = TestConfigs.listener("web").maxConnectionsPerClient(2).rateLimit(LIMITED)
        .route(new RouteConfig.Match(List.of(), "/down", null, List.of(), List.of(), List.of()), "down");
    f = new AdminFixture(AdminConfig.listen("127.0.0.1", 0, AdminFixture.TOKEN), web, TestConfigs.pool("app"),
        AdminLimitsTest::withBrokenPool);
  }

  /** Adds pool "down": two refusing backends, a breaker that opens after 2 failures, slow start 30 s. */
  private static TandemConfig withBrokenPool(TandemConfig c) {
    PoolConfig p = TestConfigs.pool("down").backend("d1", FakeBackend.refusingPort())
        .backend("d2", FakeBackend.refusingPort()).build();
    PoolConfig down = new PoolConfig(p.name(), p.algorithm(), p.hashKey(), p.backends(), p.health(), p.queue(),
        p.persistence(), p.retries(), p.timeouts(), p.connectionPoolSize(), Duration.ofSeconds(30),
        new PoolConfig.CircuitBreaker(2, Duration.ofMinutes(1)), new PoolConfig.RetryBudget(25, 4));
    List<PoolConfig> pools = new ArrayList<>(c.pools());
    pools.add(down);
    return new TandemConfig(null, c.node(), c.listeners(), pools, c.accessLog(), null, c.admin());
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void busiestClientsAndTheirRefusals() throws Exception {
    try (RawHttp c1 = new RawHttp(f.node.port("web")); RawHttp c2 = new RawHttp(f.node.port("web"))) {
      for (RawHttp c : List.of(c1, c2)) {
        c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, c.read().status());
      }
      try (RawHttp c3 = new RawHttp(f.node.port("web"))) {
        assertTrue(c3.closedByPeer());
      }
      JsonObject limits = get("/api/v1/limits");
      JsonObject web = limits.getJsonArray("clients").getJsonObject(0);
      assertEquals("web", web.getString("listener"));
      assertEquals(2, web.getInteger("maxConnectionsPerClient"));
      assertEquals(new JsonArray().add(new JsonObject().put("address", "127.0.0.1").put("connections",
          counted(2))), web.getJsonArray("top"));
      assertEquals(new JsonArray().add(refusal("client_connections", 1)), limits.getJsonArray("refusals"));
    }
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> f.node.clientConnections().open("web", "127.0.0.1") == 0);
    assertEquals(new JsonArray(), get("/api/v1/limits").getJsonArray("clients").getJsonObject(0).getJsonArray("top"));
  }

  @Test
  void rateLimitRulesWithTheirCountsAndOneKeysFill() throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(f.traffic("/limited/x").statusCode());
    }
    assertEquals(List.of(200, 200, 200, 429, 429), statuses);

    JsonObject rule = get("/api/v1/limits").getJsonArray("rules").getJsonObject(0);
    assertEquals(new JsonObject().put("listener", "web").put("rule", "limited")
        .put("match", new JsonObject().put("pathPrefix", "/limited").putNull("host").putNull("pool"))
        .put("key", "source").put("rate", 3).put("periodMillis", 60_000).put("burst", 3).put("maxKeys", 1000)
        .put("keysTracked", counted(1)).put("admitted", counted(3)).put("refused", counted(2))
        .put("overflowed", counted(0)), rule);

    JsonObject fill = get("/api/v1/limits/rate?listener=web&rule=limited&key=127.0.0.1");
    assertEquals(3, fill.getInteger("burst"));
    JsonObject here = fill.getJsonObject("perNode").getJsonObject("local");
    assertEquals(0, here.getInteger("tokens"));
    assertTrue(here.getBoolean("tracked"));
    assertTrue(here.getLong("fullInMillis") > 40_000, here.encode());
    JsonObject other = get("/api/v1/limits/rate?listener=web&rule=limited&key=10.9.9.9").getJsonObject("perNode")
        .getJsonObject("local");
    assertEquals(new JsonObject().put("tokens", 3).put("tracked", false).put("fullInMillis", 0), other);
    JsonObject local = get("/api/v1/local/limits/rate?listener=web&rule=limited&key=127.0.0.1");
    assertEquals("local", local.getString("node"));
    assertEquals(0, local.getInteger("tokens"));
    assertTrue(local.getBoolean("tracked"));
  }

  @Test
  void wrongRateQueries() {
    AdminClient.Answer missing = f.admin.get("/api/v1/limits/rate?listener=web&rule=limited");
    assertEquals(400, missing.status());
    assertEquals("query parameters listener, rule and key are required; key is missing", missing.error());
    assertEquals("key", missing.json().getString("field"));
    AdminClient.Answer unknown = f.admin.get("/api/v1/limits/rate?listener=web&rule=nope&key=1.2.3.4");
    assertEquals(404, unknown.status());
    assertEquals("unknown rate-limit rule \"nope\" on listener \"web\"", unknown.error());
    assertEquals(404, f.admin.get("/api/v1/local/limits/rate?listener=api&rule=limited&key=k").status());
  }

  @Test
  void anOpenBreakerWithItsRefusalsAndTheRetryBudget() throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      statuses.add(f.traffic("/down/x").statusCode());
    }
    assertEquals(List.of(502, 502, 503, 503), statuses);

    JsonObject limits = get("/api/v1/limits");
    JsonObject app = limits.getJsonArray("pools").getJsonObject(0);
    assertEquals("app", app.getString("pool"));
    assertEquals(new JsonObject().put("enabled", false).putNull("consecutiveFailures").putNull("openTimeMillis")
        .put("open", new JsonArray()).put("perNode", new JsonObject().put("local", new JsonObject()
            .put("state", "closed").putNull("since"))).put("refusals", counted(0)), app.getJsonObject("circuitBreaker"));
    JsonObject down = limits.getJsonArray("pools").getJsonObject(1);
    JsonObject breaker = down.getJsonObject("circuitBreaker");
    assertEquals(2, breaker.getInteger("consecutiveFailures"));
    assertEquals(60_000, breaker.getInteger("openTimeMillis"));
    assertEquals(new JsonArray().add("local"), breaker.getJsonArray("open"));
    JsonObject state = breaker.getJsonObject("perNode").getJsonObject("local");
    assertEquals("open", state.getString("state"));
    assertTrue(state.getString("since").endsWith("Z"), state.encode());
    assertEquals(counted(2), breaker.getJsonObject("refusals"));
    assertEquals(new JsonObject().put("percent", 25).put("minRetries", 4).put("retriesInFlight", counted(0))
        .put("allowed", counted(4)).put("denied", counted(0)), down.getJsonObject("retryBudget"));
    assertEquals(new JsonObject().put("windowMillis", 30_000).put("backends", new JsonArray()),
        down.getJsonObject("slowStart"));
    assertEquals(new JsonArray().add(refusal("circuit_open", 2)), limits.getJsonArray("refusals"));
    assertEquals(new JsonArray(), limits.getJsonArray("unavailable"));
  }

  @Test
  void answersFollowTheOpenApiDocument() throws Exception {
    f.traffic("/limited");
    f.traffic("/down");
    var doc = OpenApiRoutesTest.openApi();
    OpenApiRoutesTest.check(doc, "Limits", f.admin.get("/api/v1/limits"));
    OpenApiRoutesTest.check(doc, "LocalLimits", f.admin.get("/api/v1/local/limits"));
    OpenApiRoutesTest.check(doc, "RateFill", f.admin.get("/api/v1/limits/rate?listener=web&rule=limited&key=1.2.3.4"));
    OpenApiRoutesTest.check(doc, "LocalRateFill",
        f.admin.get("/api/v1/local/limits/rate?listener=web&rule=limited&key=127.0.0.1"));
    OpenApiRoutesTest.check(doc, "Error", f.admin.get("/api/v1/limits/rate?listener=web"));
  }

  private JsonObject get(String path) {
    AdminClient.Answer a = f.admin.get(path);
    assertEquals(200, a.status(), a.text());
    return a.json();
  }

  private static JsonObject counted(long n) {
    return new JsonObject().put("total", n).put("perNode", new JsonObject().put("local", n));
  }

  private static JsonObject refusal(String reason, long n) {
    return new JsonObject().put("reason", reason).put("total", n).put("perNode", new JsonObject().put("local", n))
        .put("perListener", new JsonObject().put("web", n));
  }
}
