package io.tandem.cluster.inproc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.ConfigSource;
import io.tandem.bootstrap.NodeProcess;
import io.tandem.bootstrap.TandemNode;
import io.tandem.config.ConfigLoader;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.Action;
import io.tandem.testing.AdminClient;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin API of a three-node cluster: any node answers for all, and a change made on one applies on every one. */
class AdminClusterTest {
  private static final String TOKEN = "cluster-admin-token-0123456789";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static Vertx vertx;
  private static final List<FakeBackend> backends = new ArrayList<>();
  private static LocalCluster cluster;
  private static List<TandemNode> nodes;
  private static TestConfigs.PoolBuilder pool;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    pool = TestConfigs.pool("app").persistence(
        new PersistenceConfig(PersistenceConfig.Type.NONE, null, Duration.ofMinutes(5), "JSESSIONID"));
    for (String name : List.of("b1", "b2", "b3")) {
      FakeBackend b = FakeBackend.start(vertx, name);
      b.behavior(req -> req.uri().startsWith("/login")
          ? c -> c.respond(200, List.of("Set-Cookie: JSESSIONID=" + req.uri().substring("/login".length()),
              "X-Backend: " + c.backendName()), Buffer.buffer("ok"))
          : Action.echo());
      backends.add(b);
      pool.backend(name, b.port());
    }
    cluster = new LocalCluster(3, null, true, TOKEN);
    nodes = cluster.start(pool);
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
    backends.forEach(FakeBackend::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static AdminClient admin(int index) {
    return new AdminClient(nodes.get(index).adminPort(), TOKEN);
  }

  private static HttpResponse<String> traffic(TandemNode node, String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("web") + path))
        .timeout(Duration.ofSeconds(10));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyNodeShowsTheThreeMembers() {
    for (int i = 0; i < 3; i++) {
      JsonObject c = admin(i).get("/api/v1/cluster").json();
      assertEquals("n" + (i + 1), c.getString("node"));
      assertEquals("n1", c.getString("coordinator"));
      assertTrue(c.getBoolean("quorum"));
      JsonArray members = c.getJsonArray("members");
      assertEquals(List.of("n1", "n2", "n3"), members.stream().map(m -> ((JsonObject) m).getString("id")).toList());
      for (Object m : members) {
        JsonObject member = (JsonObject) m;
        assertEquals(member.getString("id").equals("n" + (i + 1)), member.getBoolean("local"));
        assertEquals("127.0.0.1:" + nodes.get(Integer.parseInt(member.getString("id").substring(1)) - 1)
            .adminPort(), member.getString("admin"));
        assertTrue(member.getLong("appliedVersion") != null, member.encode());
      }
      assertEquals(new JsonArray(), c.getJsonArray("down"));
      assertEquals(new JsonArray(), c.getJsonArray("unavailable"));
    }
  }

  @Test
  void aDrainThroughN1AppliesOnEveryNode() {
    AdminClient.Answer a = admin(0).post("/api/v1/pools/app/backends/b1/drain");
    assertEquals(200, a.status(), a.text());
    assertEquals(new JsonArray().add("n1").add("n2").add("n3"), a.json().getJsonArray("applied"));
    assertEquals(new JsonArray(), a.json().getJsonArray("pending"));
    long version = a.json().getLong("version");
    for (int i = 1; i < 3; i++) {
      // Answered after every node applied it: no waiting needed here.
      JsonObject b1 = admin(i).get("/api/v1/pools/app/backends/b1").json();
      assertEquals("draining", b1.getString("adminState"), "on n" + (i + 1));
      assertEquals(version, admin(i).get("/api/v1/cluster").json().getLong("stateVersion"));
    }
    assertEquals(200, admin(2).post("/api/v1/pools/app/backends/b1/enable").status());
  }

  @Test
  void aBackendAddedThroughN2TakesTrafficThroughN3() throws Exception {
    FakeBackend b4 = FakeBackend.start(vertx, "b4");
    backends.add(b4);
    AdminClient.Answer a = admin(1).post("/api/v1/pools/app/backends",
        "{\"id\":\"b4\",\"host\":\"127.0.0.1\",\"port\":" + b4.port() + "}");
    assertEquals(201, a.status(), a.text());
    assertEquals(new JsonArray().add("n1").add("n2").add("n3"), a.json().getJsonArray("applied"));
    assertEquals("runtime", admin(2).get("/api/v1/pools/app/backends/b4").json().getString("source"));
    await().atMost(Duration.ofSeconds(20))
        .until(() -> traffic(nodes.get(2), "/", null).headers().firstValue("x-backend").orElse("").equals("b4"));
    assertEquals(200, admin(0).delete("/api/v1/pools/app/backends/b4").status());
  }

  @Test
  void limitsThroughN3GatherEveryNode() {
    AdminClient.Answer a = admin(2).get("/api/v1/limits");
    assertEquals(200, a.status(), a.text());
    JsonObject app = a.json().getJsonArray("pools").getJsonObject(0);
    assertEquals("app", app.getString("pool"));
    JsonObject breakers = app.getJsonObject("circuitBreaker").getJsonObject("perNode");
    assertEquals(List.of("n1", "n2", "n3"), List.copyOf(breakers.fieldNames()));
    assertEquals("closed", breakers.getJsonObject("n1").getString("state"));
    assertEquals(List.of("n1", "n2", "n3"),
        List.copyOf(app.getJsonObject("retryBudget").getJsonObject("allowed").getJsonObject("perNode").fieldNames()));
    assertEquals(new JsonArray(), a.json().getJsonArray("unavailable"));
  }

  @Test
  void aBindingMadeThroughN1IsFoundOnN3() throws Exception {
    String backend = traffic(nodes.get(0), "/loginS42", null).headers().firstValue("x-backend").orElseThrow();
    AdminClient.Answer a = admin(2).get("/api/v1/sessions?pool=app&key=S42");
    assertEquals(200, a.status(), a.text());
    assertEquals(backend, a.json().getString("backend"));
    assertEquals("S42", a.json().getString("key"));
  }

  @Test
  void aReloadOnEveryNodeReportsTheOneBadFileByFileAndField() {
    for (int i = 0; i < 3; i++) {
      TandemConfig running = nodes.get(i).config();
      String id = "n" + (i + 1);
      ConfigSource source = id.equals("n2")
          ? ConfigSource.of("n2.yaml", () -> ConfigLoader.parse("""
              listeners: [{name: web, bind: "127.0.0.1:0", default-pool: app}]
              pools: [{name: app, backends: [{id: b1, address: "127.0.0.1:70000"}]}]
              """, "/etc/tandem/n2.yaml"))
          : ConfigSource.of(id + ".yaml", () -> running);
      new NodeProcess(source, nodes.get(i));
    }
    AdminClient.Answer a = admin(0).post("/api/v1/config/reload");
    assertEquals(422, a.status(), a.text());
    JsonArray results = a.json().getJsonArray("results");
    assertEquals(3, results.size());
    for (Object r : results) {
      JsonObject result = (JsonObject) r;
      if (result.getString("node").equals("n2")) {
        assertEquals(false, result.getBoolean("ok"));
        assertEquals(new JsonArray().add(new JsonObject().put("file", "/etc/tandem/n2.yaml")
            .put("field", "pools[0].backends[0].address")
            .put("message", "port must be between 1 and 65535, got 70000")), result.getJsonArray("errors"));
      } else {
        assertEquals(new JsonObject().put("node", result.getString("node")).put("ok", true), result);
      }
    }
    AdminClient.Answer one = admin(1).post("/api/v1/config/reload?node=n3");
    assertEquals(200, one.status(), one.text());
    assertEquals(new JsonArray().add(new JsonObject().put("node", "n3").put("ok", true)),
        one.json().getJsonArray("results"));
  }
}
