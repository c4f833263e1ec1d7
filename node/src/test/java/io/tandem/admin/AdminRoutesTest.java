package io.tandem.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.ConfigLoader;
import io.tandem.ctl.CtlCommand;
import io.tandem.testing.AdminClient;
import io.tandem.testing.FakeBackend;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routes through the admin API and {@code tandem ctl}: actions and per-action counts, and split weights changed
 * at run time (stored as a runtime change, so applied on every node like a drain).
 */
class AdminRoutesTest {
  private static final String TOKEN = "test-admin-token-0123456789";
  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private FakeBackend main;
  private FakeBackend canary;
  private TandemNode node;
  private AdminClient admin;

  @BeforeEach
  void start() throws Exception {
    main = FakeBackend.start(vertx, "main");
    canary = FakeBackend.start(vertx, "canary");
    main.always(c -> c.respond(200, List.of(), Buffer.buffer("main")));
    canary.always(c -> c.respond(200, List.of(), Buffer.buffer("canary")));
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(file, """
        admin: {listen: 127.0.0.1:0, token: %s}
        listeners:
          - name: web
            bind: 127.0.0.1:0
            default-pool: main
            actions: [{remove-response-header: Server}]
            routes:
              - name: canary
                match: {path-prefix: /app/}
                split: [{pool: main, weight: 90}, {pool: canary, weight: 10}]
                mirror: {pool: canary, percent: 100}
              - match: {path-prefix: /old/}
                actions: [{redirect: {status: 301, prefix: /new/}}]
              - match: {path-prefix: /private/}
                pool: main
                actions: [{allow: {sources: [10.0.0.0/8]}}]
        pools:
          - name: main
            backends: [{id: m1, address: 127.0.0.1:%d}]
          - name: canary
            backends: [{id: c1, address: 127.0.0.1:%d}]
        """.formatted(TOKEN, main.port(), canary.port()));
    node = TandemNode.start(ConfigLoader.load(file)).await(30, TimeUnit.SECONDS);
    admin = new AdminClient(node.adminPort(), TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    node.shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    main.close();
    canary.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private String traffic(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("web")
        + path)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private JsonObject route(String label) {
    JsonArray routes = admin.get("/api/v1/routes").json().getJsonArray("routes");
    for (int i = 0; i < routes.size(); i++) {
      if (routes.getJsonObject(i).getString("route").equals(label)) {
        return routes.getJsonObject(i);
      }
    }
    throw new AssertionError("no route " + label + " in " + routes);
  }

  @Test
  void routesShowTheirActionsAndWhatTheyDid() throws Exception {
    for (int i = 0; i < 20; i++) {
      traffic("/app/" + i);
    }
    assertTrue(traffic("/old/x").startsWith("301"));
    assertTrue(traffic("/private/x").startsWith("403"));

    JsonObject split = route("canary");
    assertEquals(new JsonArray().add(new JsonObject().put("pool", "main").put("weight", 90).put("configuredWeight", 90))
        .add(new JsonObject().put("pool", "canary").put("weight", 10).put("configuredWeight", 10)),
        split.getJsonArray("split"));
    assertEquals("canary", split.getJsonObject("mirror").getString("pool"));
    assertEquals(new JsonArray().add("remove-response-header Server"), split.getJsonArray("actions"));
    JsonObject counts = split.getJsonObject("counts");
    assertEquals(20, counts.getJsonObject("mirrored").getLong("total"));
    JsonObject shares = counts.getJsonObject("split");
    long toMain = shares.getJsonObject("main") == null ? 0 : shares.getJsonObject("main").getLong("total");
    long toCanary = shares.getJsonObject("canary") == null ? 0 : shares.getJsonObject("canary").getLong("total");
    assertEquals(20, toMain + toCanary);

    JsonObject old = route("routes[1]");
    assertEquals(new JsonArray().add("remove-response-header Server").add("redirect 301 prefix /old/ -> /new/"),
        old.getJsonArray("actions"));
    assertEquals(1, old.getJsonObject("counts").getJsonObject("redirected").getLong("total"));
    assertEquals(new JsonObject().put("local", 1L),
        old.getJsonObject("counts").getJsonObject("redirected").getJsonObject("perNode"));
    JsonObject denied = route("routes[2]");
    assertEquals("allow sources [10.0.0.0/8]", denied.getJsonArray("actions").getString(1));
    assertEquals(1, denied.getJsonObject("counts").getJsonObject("denied").getLong("total"));
    assertEquals("main", route("default").getString("pool"));

    Run ctl = ctl("routes");
    assertEquals(0, ctl.code, ctl.err);
    assertTrue(ctl.out.contains("web       canary     pathPrefix=/app/      split main:90 canary:10 +mirror canary"),
        ctl.out);
    assertTrue(ctl.out.contains("    redirect 301 prefix /old/ -> /new/"), ctl.out);
  }

  @Test
  void splitWeightsChangeAtRunTimeAndAreCheckedFirst() throws Exception {
    AdminClient.Answer a = admin.put("/api/v1/routes/web/canary/split", "{\"weights\": {\"main\": 0, \"canary\": 5}}");
    assertEquals(200, a.status(), a.text());
    assertEquals(new JsonArray().add(new JsonObject().put("pool", "main").put("weight", 0))
        .add(new JsonObject().put("pool", "canary").put("weight", 5)), a.json().getJsonArray("split"));
    assertTrue(a.json().getLong("version") > 0);
    for (int i = 0; i < 20; i++) {
      assertEquals("200 canary", traffic("/app/" + i), "main's weight is 0 now");
    }
    assertEquals(0, route("canary").getJsonArray("split").getJsonObject(0).getInteger("weight"));
    assertEquals(90, route("canary").getJsonArray("split").getJsonObject(0).getInteger("configuredWeight"));

    long version = a.json().getLong("version");
    assertRefused(admin.put("/api/v1/routes/web/canary/split", "{\"weights\": {\"canary\": 0}}"), 400,
        "every weight would be 0: at least one pool must take requests");
    assertRefused(admin.put("/api/v1/routes/web/canary/split", "{\"weights\": {\"video\": 1}}"), 400,
        "route canary does not split to pool \"video\"; its pools: [main, canary]");
    assertRefused(admin.put("/api/v1/routes/web/canary/split", "{\"weights\": {\"main\": \"1\"}}"), 400,
        "the weight of main must be an integer, got \"1\"");
    assertRefused(admin.put("/api/v1/routes/web/canary/split", "{\"weights\": []}"), 400,
        "weights must be an object of pool names and weights, e.g. {\"main\": 90, \"canary\": 10}, got an array");
    assertRefused(admin.put("/api/v1/routes/web/routes%5B1%5D/split", "{\"weights\": {\"main\": 1}}"), 404,
        "route routes[1] of listener web does not split");
    assertRefused(admin.put("/api/v1/routes/web/nope/split", "{\"weights\": {\"main\": 1}}"), 404,
        "listener web has no route \"nope\"");
    assertEquals(401, admin.withToken(null).put("/api/v1/routes/web/canary/split",
        "{\"weights\": {\"main\": 1}}").status());
    assertEquals(version, admin.get("/api/v1/cluster").json().getLong("stateVersion"), "nothing refused was stored");

    Run ctl = ctl("split", "web", "canary", "main=1");
    assertEquals(0, ctl.code, ctl.err);
    assertTrue(ctl.out.startsWith("web canary split main=1 canary=5  (version "), ctl.out);
    Run bad = ctl("split", "web", "canary", "main");
    assertEquals(CtlCommand.USAGE, bad.code);
    assertTrue(bad.err.startsWith("a weight is POOL=WEIGHT with WEIGHT 0 to 1000000, got \"main\""), bad.err);
  }

  private static void assertRefused(AdminClient.Answer a, int status, String error) {
    assertEquals(status, a.status(), a.text());
    assertEquals(error, a.error());
  }

  private record Run(int code, String out, String err) {}

  private Run ctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--admin";
    all[1] = "127.0.0.1:" + node.adminPort();
    System.arraycopy(args, 0, all, 2, args.length);
    int code = CtlCommand.run(Map.of(CtlCommand.TOKEN_ENV, TOKEN), new PrintWriter(out), new PrintWriter(err), all);
    return new Run(code, out.toString(), err.toString());
  }
}
