package io.tandem.proxy.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.Received;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traffic split (weighted, sticky with persistence) and mirroring to a shadow pool, through a real node. */
class RouteSplitMirrorTest extends ProxyTestBase {
  @TempDir
  Path dir;
  private FakeBackend main;
  private FakeBackend canary;

  @Override
  protected int eventLoops() {
    return 2;
  }

  @BeforeEach
  void backends() {
    main = backend("main");
    canary = backend("canary");
    main.always(c -> c.respond(200, List.of("Content-Type: text/plain"), Buffer.buffer("main")));
    canary.always(c -> c.respond(200, List.of("Content-Type: text/plain"), Buffer.buffer("canary")));
  }

  private void startWith(String poolExtra, String routes) throws Exception {
    String yaml = """
        listeners:
          - name: web
            bind: 127.0.0.1:0
            default-pool: main
            routes:
        %s
        pools:
          - name: main
            backends: [{id: m1, address: 127.0.0.1:%d}]
        %s
          - name: canary
            backends: [{id: c1, address: 127.0.0.1:%d}]
            timeouts: {response: 2s}
        %s
        """.formatted(routes.indent(6).stripTrailing(), main.port(), poolExtra.indent(4).stripTrailing(),
        canary.port(), poolExtra.indent(4).stripTrailing());
    startYaml(dir, yaml);
  }

  private Map<String, Object> counts(String route) {
    return node.listener("web").routes().view().get(route);
  }

  @Test
  void aSplitSendsEachPoolItsWeightedShare() throws Exception {
    startWith("", """
        - name: split
          match: {path-prefix: /split/}
          split: [{pool: main, weight: 80}, {pool: canary, weight: 20}]
        - name: off
          match: {path-prefix: /off/}
          split: [{pool: main, weight: 1}, {pool: canary, weight: 0}]
        """);
    int canaryAnswers = 0;
    for (int i = 0; i < 500; i++) {
      if (get("/split/" + i).body().equals("canary")) {
        canaryAnswers++;
      }
    }
    // 20% of 500 is 100 with a standard deviation of 9: far outside 60..140 is a broken split, not chance.
    assertTrue(canaryAnswers > 60 && canaryAnswers < 140, "canary took " + canaryAnswers + " of 500");
    assertEquals(Map.of("canary", (long) canaryAnswers, "main", 500L - canaryAnswers), counts("split").get("split"));
    for (int i = 0; i < 50; i++) {
      assertEquals("main", get("/off/" + i).body(), "weight 0 takes nothing");
    }
  }

  @Test
  void aSplitWithCookiePersistenceKeepsAClientOnItsPool() throws Exception {
    startWith("persistence: {type: cookie, cookie: {name: TANDEM_SERVER}}", """
        - match: {path-prefix: /split/}
          split: [{pool: main, weight: 50}, {pool: canary, weight: 50}]
        """);
    Set<String> firstPools = new HashSet<>();
    for (int client = 0; client < 20; client++) {
      HttpResponse<String> first = get("/split/first");
      String cookie = first.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
      firstPools.add(first.body());
      for (int i = 0; i < 10; i++) {
        assertEquals(first.body(), get("/split/" + i, "Cookie", cookie).body(), "client " + client + " moved");
      }
    }
    assertEquals(Set.of("main", "canary"), firstPools, "new clients are spread over both pools");
  }

  @Test
  void aSplitWithSourceAffinityPlacesAClientByItsAddress() throws Exception {
    startWith("persistence: {type: source-address}", """
        - match: {path-prefix: /split/}
          split: [{pool: main, weight: 50}, {pool: canary, weight: 50}]
        """);
    String pool = get("/split/0").body();
    for (int i = 1; i < 30; i++) {
      assertEquals(pool, get("/split/" + i).body());
    }
  }

  @Test
  void mirroredCopiesNeverReachTheClientWhateverTheShadowDoes() throws Exception {
    startWith("", """
        - name: mirror
          match: {path-prefix: /mirror/}
          pool: main
          mirror: {pool: canary}
        """);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/mirror/a"))
        .POST(HttpRequest.BodyPublishers.ofString("payload")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals("main", r.body());
    Received copy = canary.awaitRequests(1).get(0);
    Received original = main.awaitRequests(1).get(0);
    assertEquals("/mirror/a", copy.uri());
    assertEquals("POST", copy.method());
    assertArrayEquals("payload".getBytes(StandardCharsets.UTF_8), copy.body());
    assertEquals(original.header("x-request-id"), copy.header("x-request-id"));

    int copies = 1;
    for (Action shadow : List.of(Action.hang(), Action.reset(), Action.respond(500, "broken"))) {
      canary.always(shadow);
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> answer = get("/mirror/" + i);
        assertEquals(200, answer.statusCode());
        assertEquals("main", answer.body());
      }
      copies += 5;
      // The copies go out after the client's answer: let them reach the shadow before it changes its behaviour.
      canary.awaitRequests(copies);
    }
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertTrue(
        (long) counts("mirror").get("mirrorFailed") >= 10, counts("mirror") + " " + canary.received().size()));
    assertEquals(16L, counts("mirror").get("mirrored"));
    assertEquals(16, main.received().size());
  }

  @Test
  void aShareOfRequestsIsMirrored() throws Exception {
    startWith("", """
        - name: some
          match: {path-prefix: /some/}
          pool: main
          mirror: {pool: canary, percent: 25}
        - name: none
          match: {path-prefix: /none/}
          pool: main
          mirror: {pool: canary, percent: 0}
        """);
    for (int i = 0; i < 200; i++) {
      get("/some/" + i);
      get("/none/" + i);
    }
    long mirrored = (long) counts("some").get("mirrored");
    // 25% of 200 is 50, standard deviation 6.1.
    assertTrue(mirrored > 20 && mirrored < 80, "mirrored " + mirrored + " of 200");
    await().until(() -> canary.received().size() == mirrored);
    assertTrue(canary.received().stream().allMatch(r -> r.uri().startsWith("/some/")));
    assertEquals(null, counts("none"), "a route that mirrored nothing has counted nothing");
  }

  @Test
  void theShippedRulesExampleDoesWhatItsCommentsSay() throws Exception {
    String yaml = Files.readString(Path.of("..", "config", "rules.yaml"))
        .replace("127.0.0.1:18080", "127.0.0.1:0")
        .replace("127.0.0.1:19001", "127.0.0.1:" + main.port())
        .replace("127.0.0.1:19002", "127.0.0.1:" + canary.port());
    startYaml(dir, yaml);
    main.always(c -> c.respond(200, List.of("Server: app/1", "Content-Type: text/plain"),
        Buffer.buffer("main " + c.request().uri() + " " + c.request().header("x-client-addr"))));

    HttpResponse<String> api = get("/api/users?x=1");
    assertEquals("main /users?x=1 127.0.0.1", api.body());
    assertEquals("tandem", api.headers().firstValue("x-served-by").orElse(null));
    assertTrue(api.headers().firstValue("server").isEmpty());

    HttpResponse<String> old = get("/old/a/b?q=1");
    assertEquals(301, old.statusCode());
    assertEquals("http://127.0.0.1:" + port() + "/new/a/b?q=1", old.headers().firstValue("location").orElse(null));

    assertEquals(403, get("/private/x").statusCode(), "loopback is outside 10.0.0.0/8");

    int toCanary = 0;
    for (int i = 0; i < 200; i++) {
      toCanary += get("/split/" + i).body().equals("canary") ? 1 : 0;
    }
    assertTrue(toCanary > 16 && toCanary < 64, "canary took " + toCanary + " of 200 (20% expected)");

    canary.clearReceived();
    assertTrue(get("/mirror/m").body().startsWith("main /mirror/m"));
    assertEquals("/mirror/m", canary.awaitRequests(1).get(0).uri());
    assertTrue(get("/other").body().startsWith("main /other"));
  }
}
