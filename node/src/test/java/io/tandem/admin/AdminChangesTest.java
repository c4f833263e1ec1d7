package io.tandem.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.AdminClient;
import io.tandem.testing.AdminFixture;
import io.tandem.testing.FakeBackend;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** State-changing calls on a real node: each applies, answers with its version, and a refused one changes nothing. */
class AdminChangesTest {
  private static final String B1 = "/api/v1/pools/app/backends/b1";
  private AdminFixture f;

  @BeforeEach
  void start() throws Exception {
    f = AdminFixture.standard();
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private JsonObject b1() {
    return f.admin.get(B1).json();
  }

  private long stateVersion() {
    return f.admin.get("/api/v1/cluster").json().getLong("stateVersion");
  }

  @Test
  void drainDisableEnableAnswerTheNewStateOnceApplied() {
    AdminClient.Answer drain = f.admin.post(B1 + "/drain");
    assertEquals(200, drain.status(), drain.text());
    JsonObject body = drain.json();
    assertEquals("app", body.getString("pool"));
    assertEquals("b1", body.getString("backend"));
    assertEquals("draining", body.getString("adminState"));
    assertEquals(new JsonArray().add("local"), body.getJsonArray("applied"));
    assertEquals(new JsonArray(), body.getJsonArray("pending"));
    long version = body.getLong("version");
    assertTrue(version > 0);
    assertEquals("draining", b1().getString("adminState"));
    assertEquals(version, stateVersion());

    assertEquals("disabled", f.admin.post(B1 + "/disable").json().getString("adminState"));
    assertEquals("disabled", b1().getString("adminState"));
    AdminClient.Answer enable = f.admin.post(B1 + "/enable", "{}");
    assertEquals("enabled", enable.json().getString("adminState"));
    assertTrue(enable.json().getLong("version") > version);
  }

  @Test
  void weight() {
    AdminClient.Answer a = f.admin.put(B1 + "/weight", "{\"weight\": 7}");
    assertEquals(200, a.status(), a.text());
    assertEquals(7, a.json().getInteger("weight"));
    assertEquals(7, b1().getInteger("weight"));
  }

  @Test
  void badWeightsAreRefusedAndChangeNothing() {
    long before = stateVersion();
    assertBad(f.admin.put(B1 + "/weight", "{\"weight\": 0}"), 400, "weight must be between 1 and 256, got 0",
        "weight");
    assertBad(f.admin.put(B1 + "/weight", "{\"weight\": 257}"), 400, "weight must be between 1 and 256, got 257",
        "weight");
    assertBad(f.admin.put(B1 + "/weight", "{\"weight\": \"5\"}"), 400, "weight must be an integer, got \"5\"",
        "weight");
    assertBad(f.admin.put(B1 + "/weight", "{\"weight\": 2.5}"), 400, "weight must be an integer, got a number (2.5)",
        "weight");
    assertBad(f.admin.put(B1 + "/weight", "{}"), 400, "weight is required", "weight");
    assertBad(f.admin.put(B1 + "/weight", "{\"weight\": 5, \"wieght\": 5}"), 400,
        "unknown field \"wieght\"; expected: weight", "wieght");
    assertBad(f.admin.put(B1 + "/weight", "[5]"), 400, "the body must be a JSON object, got an array", null);
    AdminClient.Answer malformed = f.admin.put(B1 + "/weight", "{\"weight\": ");
    assertEquals(400, malformed.status());
    assertTrue(malformed.error().startsWith("malformed JSON: "), malformed.error());
    assertBad(f.admin.put("/api/v1/pools/app/backends/b9/weight", "{\"weight\": 5}"), 404,
        "unknown backend \"b9\" in pool \"app\"", null);
    assertBad(f.admin.put("/api/v1/pools/zz/backends/b1/weight", "{\"weight\": 5}"), 404, "unknown pool \"zz\"",
        null);
    assertBad(f.admin.post(B1 + "/drain", "{\"now\": true}"), 400, "this call takes no body; got field \"now\"",
        "now");
    assertEquals(before, stateVersion());
    assertEquals(1, b1().getInteger("weight"));
    assertEquals("enabled", b1().getString("adminState"));
  }

  @Test
  void addThenRemoveABackend() throws Exception {
    FakeBackend b3 = FakeBackend.start(f.vertx, "b3");
    f.backends.add(b3);
    AdminClient.Answer add = f.admin.post("/api/v1/pools/app/backends",
        "{\"id\":\"b3\",\"host\":\"127.0.0.1\",\"port\":" + b3.port() + ",\"weight\":2}");
    assertEquals(201, add.status(), add.text());
    assertEquals("b3", add.json().getString("backend"));
    assertEquals(2, add.json().getInteger("weight"));
    JsonObject b = f.admin.get("/api/v1/pools/app/backends/b3").json();
    assertEquals("runtime", b.getString("source"));
    assertEquals(b3.address(), b.getString("address"));
    Set<String> seen = new HashSet<>();
    await().until(() -> {
      seen.add(f.traffic("/").headers().firstValue("x-backend").orElse("?"));
      return seen.contains("b3");
    });

    assertBad(f.admin.post("/api/v1/pools/app/backends", "{\"id\":\"b3\",\"host\":\"127.0.0.1\",\"port\":1}"),
        409, "backend \"b3\" already exists in pool \"app\"", "id");

    AdminClient.Answer remove = f.admin.delete("/api/v1/pools/app/backends/b3");
    assertEquals(200, remove.status(), remove.text());
    assertEquals(true, remove.json().getBoolean("removed"));
    assertBad(f.admin.get("/api/v1/pools/app/backends/b3"), 404, "unknown backend \"b3\" in pool \"app\"", null);
  }

  @Test
  void badAddsAndRemovesChangeNothing() {
    long before = stateVersion();
    String path = "/api/v1/pools/app/backends";
    assertBad(f.admin.post(path, "{\"host\":\"127.0.0.1\",\"port\":1}"), 400, "id is required", "id");
    assertBad(f.admin.post(path, "{\"id\":\"a/b\",\"host\":\"127.0.0.1\",\"port\":1}"), 400,
        "id must be 1 to 64 letters, digits, '.', '_' or '-', got \"a/b\"", "id");
    assertBad(f.admin.post(path, "{\"id\":\"b4\",\"port\":1}"), 400, "host is required", "host");
    assertBad(f.admin.post(path, "{\"id\":\"b4\",\"host\":\"a b\",\"port\":1}"), 400,
        "host must be a host name or IP address, got \"a b\"", "host");
    assertBad(f.admin.post(path, "{\"id\":\"b4\",\"host\":7,\"port\":1}"), 400,
        "host must be a string, got a number (7)", "host");
    assertBad(f.admin.post(path, "{\"id\":\"b4\",\"host\":\"127.0.0.1\",\"port\":70000}"), 400,
        "port must be between 1 and 65535, got 70000", "port");
    assertBad(f.admin.post(path, "{\"id\":\"b4\",\"host\":\"127.0.0.1\",\"port\":1,\"maxConnections\":-1}"), 400,
        "maxConnections must be between 0 and 1000000, got -1", "maxConnections");
    assertBad(f.admin.post(path, "{\"id\":\"b4\",\"host\":\"127.0.0.1\",\"port\":1,\"address\":\"x\"}"), 400,
        "unknown field \"address\"; expected: id, host, port, weight, maxConnections", "address");
    assertBad(f.admin.post("/api/v1/pools/zz/backends", "{\"id\":\"b4\",\"host\":\"127.0.0.1\",\"port\":1}"), 404,
        "unknown pool \"zz\"", null);
    assertBad(f.admin.delete("/api/v1/pools/app/backends/b9"), 404, "unknown backend \"b9\" in pool \"app\"", null);
    assertEquals(before, stateVersion());
    assertEquals(2, f.admin.get("/api/v1/pools/app").json().getJsonArray("backends").size());
  }

  @Test
  void theLastBackendCannotBeRemoved() {
    assertEquals(200, f.admin.delete("/api/v1/pools/app/backends/b2").status());
    long before = stateVersion();
    assertBad(f.admin.delete(B1), 409, "backend b1 is the last one of pool app; add another before removing it",
        null);
    assertEquals(before, stateVersion());
  }

  static void assertBad(AdminClient.Answer a, int status, String error, String field) {
    assertEquals(status, a.status(), a.text());
    assertEquals(error, a.error());
    assertEquals(field, a.json().getString("field"));
  }
}
