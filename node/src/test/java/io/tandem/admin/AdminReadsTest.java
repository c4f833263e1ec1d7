package io.tandem.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.AdminConfig;
import io.tandem.config.PersistenceConfig;
import io.tandem.testing.AdminClient;
import io.tandem.testing.AdminFixture;
import io.tandem.testing.TestConfigs;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every read endpoint of a real standalone node, and the errors reads can get. */
class AdminReadsTest {
  private AdminFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new AdminFixture(AdminConfig.listen("127.0.0.1", 0, AdminFixture.TOKEN), TestConfigs.pool("app")
        .persistence(new PersistenceConfig(PersistenceConfig.Type.SOURCE_ADDRESS, null, Duration.ofMinutes(5))));
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void anOversizedOrMalformedCallGetsAJsonErrorToo() {
    AdminClient.Answer longUri = f.admin.get("/api/v1/pools/" + "a".repeat(5000));
    assertEquals(414, longUri.status());
    assertEquals("request line too long (at most 4096 bytes)", longUri.error());
    AdminClient.Answer bigHeaders = f.admin.send("GET", "/api/v1/pools", null, "Bearer " + "t".repeat(9000));
    assertEquals(431, bigHeaders.status());
    assertEquals("request headers too large (at most 8192 bytes)", bigHeaders.error());
    try (java.net.Socket raw = new java.net.Socket("127.0.0.1", f.node.adminPort())) {
      raw.getOutputStream().write("GET /api/v1/pools HTTP/1.1\r\nHost: x\r\nbroken header line\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
      assertTrue(answer.endsWith("{\"error\":\"malformed HTTP request\"}"), answer);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // The node still answers on fresh connections.
    assertEquals(200, f.admin.get("/api/v1/pools").status());
  }

  @Test
  void probes() {
    for (String path : new String[] {"/healthz", "/api/v1/healthz"}) {
      AdminClient.Answer a = f.admin.withToken(null).get(path);
      assertEquals(200, a.status(), path);
      assertEquals("alive", a.json().getString("status"));
    }
    for (String path : new String[] {"/readyz", "/api/v1/readyz"}) {
      AdminClient.Answer a = f.admin.withToken(null).get(path);
      assertEquals(200, a.status(), path);
      assertEquals(new JsonObject().put("ready", true)
          .put("checks", new JsonObject().put("listeners", true).put("clusterState", true)), a.json());
    }
  }

  @Test
  void clusterOfOneStandaloneNode() {
    AdminClient.Answer a = f.admin.get("/api/v1/cluster");
    assertEquals(200, a.status(), a.text());
    JsonObject c = a.json();
    assertEquals("local", c.getString("node"));
    assertEquals("local", c.getString("coordinator"));
    assertTrue(c.getBoolean("quorum"));
    assertEquals(1, c.getJsonArray("members").size());
    JsonObject me = c.getJsonArray("members").getJsonObject(0);
    assertEquals("local", me.getString("id"));
    assertTrue(me.getBoolean("local"));
    assertEquals("coordinator", me.getString("role"));
    assertEquals("127.0.0.1:" + f.node.adminPort(), me.getString("admin"));
    assertNotNull(me.getString("startedAt"));
    assertEquals(0L, me.getLong("appliedVersion"));
    assertTrue(c.getJsonArray("down").isEmpty());
    assertTrue(c.getJsonArray("unavailable").isEmpty());
  }

  @Test
  void poolsAndBackendsWithTrafficCounters() throws Exception {
    for (int i = 0; i < 4; i++) {
      assertEquals(200, f.traffic("/x").statusCode());
    }
    JsonObject pools = f.admin.get("/api/v1/pools").json();
    assertEquals(1, pools.getJsonArray("pools").size());
    JsonObject pool = f.admin.get("/api/v1/pools/app").json();
    assertEquals(pools.getJsonArray("pools").getJsonObject(0).getString("name"), pool.getString("name"));
    assertEquals("round-robin", pool.getString("algorithm"));
    assertEquals("source-address", pool.getString("persistence"));
    assertEquals(4L, pool.getJsonObject("totals").getLong("requests"));
    assertEquals(0L, pool.getJsonObject("totals").getLong("errors"));

    // Source-address persistence: every request from 127.0.0.1 went to the same backend.
    String bound = f.admin.get("/api/v1/sessions?pool=app&key=127.0.0.1").json().getString("backend");
    JsonObject b = f.admin.get("/api/v1/pools/app/backends/" + bound).json();
    assertEquals(bound, b.getString("id"));
    assertEquals("app", b.getString("pool"));
    assertEquals(f.backend(bound).address(), b.getString("address"));
    assertEquals("config", b.getString("source"));
    assertEquals("enabled", b.getString("adminState"));
    assertEquals(1, b.getInteger("weight"));
    assertEquals(4L, b.getJsonObject("requests").getLong("total"));
    assertEquals(4L, b.getJsonObject("requests").getJsonObject("perNode").getLong("local"));
    assertEquals(4L, b.getJsonObject("requests").getJsonObject("perOutcome").getLong("ok"));
    assertEquals(0L, b.getLong("errors"));
    assertEquals(0, b.getJsonObject("connections").getInteger("total"));
    assertNotNull(b.getJsonObject("latencyMillis").getDouble("p50"));
    assertTrue(b.getJsonObject("latencyMillis").getDouble("p99") >= b.getJsonObject("latencyMillis")
        .getDouble("p50"));
    assertEquals(new JsonObject().put("local", false), b.getJsonObject("health").getJsonObject("passiveEjected"));
    assertEquals("pending", b.getJsonObject("health").getString("verdict"));
  }

  @Test
  void unknownPoolOrBackendIs404() {
    AdminClient.Answer pool = f.admin.get("/api/v1/pools/nope");
    assertEquals(404, pool.status());
    assertEquals("unknown pool \"nope\"", pool.error());
    AdminClient.Answer backend = f.admin.get("/api/v1/pools/app/backends/b9");
    assertEquals(404, backend.status());
    assertEquals("unknown backend \"b9\" in pool \"app\"", backend.error());
  }

  @Test
  void sessions() throws Exception {
    AdminClient.Answer none = f.admin.get("/api/v1/sessions?pool=app&key=10.9.9.9");
    assertEquals(404, none.status());
    assertEquals("no binding for key \"10.9.9.9\" in pool \"app\"", none.error());
    AdminClient.Answer missing = f.admin.get("/api/v1/sessions?pool=app");
    assertEquals(400, missing.status());
    assertEquals("query parameters pool and key are required; key is missing", missing.error());
    assertEquals("key", missing.json().getString("field"));
    AdminClient.Answer noPool = f.admin.get("/api/v1/sessions?key=1.2.3.4");
    assertEquals("query parameters pool and key are required; pool is missing", noPool.error());
    AdminClient.Answer unknownPool = f.admin.get("/api/v1/sessions?pool=zz&key=1.2.3.4");
    assertEquals(404, unknownPool.status());
    assertEquals("unknown pool \"zz\"", unknownPool.error());

    String backend = f.traffic("/").headers().firstValue("x-backend").orElseThrow();
    JsonObject s = f.admin.get("/api/v1/sessions?pool=app&key=127.0.0.1").json();
    assertEquals("app", s.getString("pool"));
    assertEquals("127.0.0.1", s.getString("key"));
    assertEquals(backend, s.getString("backend"));
    JsonObject stats = f.admin.get("/api/v1/sessions/stats").json();
    assertEquals(new JsonObject().put("pool", "app").put("entries", 1), stats.getJsonArray("pools").getJsonObject(0));
  }

  @Test
  void localStats() throws Exception {
    f.traffic("/");
    JsonObject s = f.admin.get("/api/v1/local/stats").json();
    assertEquals("local", s.getString("node"));
    assertEquals(0L, s.getLong("appliedVersion"));
    JsonObject pool = s.getJsonObject("pools").getJsonObject("app");
    long requests = pool.getJsonObject("b1").getLong("requests") + pool.getJsonObject("b2").getLong("requests");
    assertEquals(1L, requests);
  }

  @Test
  void unknownEndpointWrongMethodMetricsAndDashboard() {
    AdminClient.Answer nope = f.admin.get("/api/v1/nope/deeper");
    assertEquals(404, nope.status());
    assertEquals("no such endpoint: GET /api/v1/nope/deeper", nope.error());
    AdminClient.Answer method = f.admin.send("PATCH", "/api/v1/cluster", null);
    assertEquals(405, method.status());
    assertEquals("method PATCH not allowed on /api/v1/cluster", method.error());
    AdminClient.Answer metrics = f.admin.get("/metrics");
    assertEquals(200, metrics.status());
    assertTrue(metrics.response().headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));
    assertTrue(metrics.text().contains("\ntandem_cluster_members "), metrics.text());
    AdminClient.Answer dashboard = f.admin.withToken(null).get("/");
    assertEquals(200, dashboard.status());
    assertTrue(dashboard.response().headers().firstValue("content-type").orElseThrow().startsWith("text/html"));
    assertTrue(dashboard.text().contains("Tandem"));
    AdminClient.Answer asset = f.admin.get("/no-such-file.js");
    assertEquals(404, asset.status());
    assertEquals("no such endpoint: GET /no-such-file.js", asset.error());
    AdminClient.Answer openapi = f.admin.get("/api/v1/openapi.yaml");
    assertEquals(200, openapi.status());
    assertTrue(openapi.text().startsWith("openapi: 3"));
    assertFalse(openapi.text().isEmpty());
    assertNull(openapi.json());
  }
}
