package io.tandem.cluster.browser;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.FakeAdminApi;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in headless Chromium against a fake admin API serving contract-shaped JSON: what it shows, and the
 * drain and enable buttons with the token, including the API's errors.
 */
class DashboardFakeApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "dash-token";
  private static final String B1 = "tr[data-backend='web/b1']";

  private Vertx vertx;
  private FakeAdminApi api;
  private Chrome chrome;

  @BeforeEach
  void start() throws Exception {
    chrome = Chrome.start();
    vertx = Vertx.vertx();
    api = FakeAdminApi.start(vertx, TOKEN);
    api.simulateTraffic(true);
    chrome.open(api.url() + "/");
    await().atMost(WAIT).until(() -> chrome.present(B1));
  }

  @AfterEach
  void stop() throws Exception {
    if (chrome != null) {
      chrome.close();
    }
    if (api != null) {
      api.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void discoveryPanelShowsEntriesTheirBackendsAndStaleOnes() throws Exception {
    assertTrue(chrome.present("#discovery[hidden]"), "hidden while no pool discovers");
    api.answer("GET", "/api/v1/discovery", 200, """
        {"node": "n1", "unavailable": ["n3"], "entries": [
          {"pool": "web", "key": "web.prod:8080", "status": "failed", "version": 14, "resolver": "n2",
           "lastSuccess": "2026-12-07T10:00:00Z", "error": "Query failed with SERVFAIL",
           "backends": [{"id": "10.0.0.1:8080", "priority": 0, "leaving": false},
                        {"id": "10.0.0.2:8080", "priority": 0, "leaving": true, "removedAt": "2026-12-07T10:00:30Z"}]},
          {"pool": "api", "key": "srv:_http._tcp.api", "status": "ok", "version": 9, "resolver": "n1",
           "backends": [{"id": "10.0.1.1:9000", "priority": 1, "leaving": false}]}]}
        """);
    await().atMost(WAIT).until(() -> chrome.present("#discovery:not([hidden]) tr[data-entry='web/web.prod:8080']"));
    String web = chrome.text("tr[data-entry='web/web.prod:8080']");
    assertTrue(web.contains("failed") && web.contains("SERVFAIL") && web.contains("10.0.0.2:8080 leaving")
        && web.contains("n2"), web);
    assertTrue(chrome.text("tr[data-entry='api/srv:_http._tcp.api']").contains("10.0.1.1:9000 p1"));
    assertTrue(chrome.text("#discovery").contains("No answer from n3"));
  }

  @Test
  void showsNodesVipsPoolsRatesAndUnknownSections() throws Exception {
    assertTrue(chrome.text("tr[data-node='n1']").contains("coordinator"), chrome.text("tr[data-node='n1']"));
    assertTrue(chrome.text("tr[data-node='n3']").contains("down"), chrome.text("tr[data-node='n3']"));
    assertEquals("2 / 3", chrome.text("#kpi-nodes .card-value"));
    assertEquals("2 / 4", chrome.text("#kpi-backends .card-value"));
    assertTrue(chrome.text("#vips").contains("10.0.0.10/24"), chrome.text("#vips"));
    assertTrue(chrome.text("#vips").contains("n3 → n1"), chrome.text("#vips"));
    String b3 = chrome.text("tr[data-backend='web/b3']");
    assertTrue(b3.contains("down") && b3.contains("connection refused") && b3.contains("ejected on n1"), b3);
    assertTrue(chrome.text("tr[data-backend='api/a1']").contains("pending"), chrome.text("tr[data-backend='api/a1']"));
    assertTrue(chrome.text("article[data-pool='api']").contains("no counters from n3"));
    // rates need two polls: then requests per second appear, overall, per pool and per node
    await().atMost(WAIT).until(() -> !chrome.text("#kpi-rps .card-value").equals("–"));
    assertTrue(chrome.present("#rate-chart polyline.rps-line"));
    // a section the dashboard does not know ("quotas") is shown as it comes
    assertEquals("Quotas", chrome.text("section[data-key='quotas'] h2"));
    assertTrue(chrome.text("section[data-key='quotas']").contains("Rate per second"));
    chrome.screenshot(Path.of("target", "dashboard-fake.png"));
  }

  @Test
  void limitsPanelShowsRulesWithRatesOpenBreakersSlowStartsAndRefusals() throws Exception {
    await().atMost(WAIT).until(() -> chrome.present("#limits:not([hidden]) tr[data-rule='web/limited']"));
    String limited = chrome.text("tr[data-rule='web/limited']");
    assertTrue(limited.contains("source") && limited.contains("50 / 1 s, burst 10"), limited);
    // the fake admits 50 and refuses 12 more per poll: both rates appear from the second poll on
    await().atMost(WAIT).until(() -> !chrome.text("tr[data-rule='web/limited'] .refused-rate").equals("–"));
    assertTrue(chrome.present("tr[data-rule='web/limited'] .refused-rate.warn-text"));
    assertFalse(chrome.text("tr[data-rule='web/limited'] .admitted-rate").equals("–"));
    assertTrue(chrome.text("li[data-breaker='api']").startsWith("open api on n2 (open,"),
        chrome.text("li[data-breaker='api']"));
    assertTrue(chrome.text("li[data-breaker='api']").endsWith("37 refused"), chrome.text("li[data-breaker='api']"));
    assertEquals("web / b2: n1 40% · n2 38%", chrome.text("li[data-slow='web/b2']"));
    String rateLimited = chrome.text("tr[data-reason='rate_limited']");
    assertTrue(rateLimited.startsWith("rate_limited"), rateLimited);
    assertTrue(rateLimited.contains("n1 ") && rateLimited.contains("n2 110"), rateLimited);
    assertTrue(chrome.text("li[data-clients='web']").contains("10.0.0.9 50"), chrome.text("li[data-clients='web']"));
    chrome.screenshot(Path.of("target", "dashboard-limits.png"));
  }

  @Test
  void routesPanelShowsActionsSplitWeightsMirrorsAndCounts() throws Exception {
    await().atMost(WAIT).until(() -> chrome.present("#routes:not([hidden]) tr[data-route='web/canary']"));
    String canary = chrome.text("tr[data-route='web/canary']");
    assertTrue(canary.contains("split app 95 (configured 80) · api 5 (configured 20)"), canary);
    assertTrue(canary.contains("+ mirror to api (10%)"), canary);
    assertTrue(canary.contains("41 (3 failed)"), canary);
    assertTrue(canary.contains("api 19 · app 380"), canary);
    String api = chrome.text("tr[data-route='web/api']");
    assertTrue(api.contains("strip-prefix /api") && api.contains("remove-response-header Server"), api);
    assertTrue(chrome.text("tr[data-route='web/routes[2]']").contains("allow sources [10.0.0.0/8]"));
    assertTrue(chrome.text("tr[data-route='web/default']").contains("everything else"));
    chrome.screenshot(Path.of("target", "dashboard-routes.png"));
  }

  @Test
  void withoutTheLimitsEndpointThePanelIsHiddenAndTheRestShown() {
    api.answer("GET", "/api/v1/limits", 404, "{\"error\":\"no such endpoint: GET /api/v1/limits\"}");
    await().atMost(WAIT).until(() -> chrome.present("#limits[hidden]"));
    assertTrue(chrome.present(B1));
    assertTrue(chrome.text("#status").startsWith("live"), chrome.text("#status"));
  }

  @Test
  void drainAsksForTheTokenOnceAndEnableReusesIt() {
    chrome.click(B1 + " button[data-action='drain']");
    await().atMost(WAIT).until(() -> chrome.present("#token-dialog:not([hidden])"));
    chrome.type("#token-input", TOKEN);
    chrome.click("#token-ok");

    await().atMost(WAIT).until(() -> api.backend("web", "b1").path("adminState").asText().equals("draining"));
    await().atMost(WAIT).until(() -> chrome.text(B1 + " .admin-state").equals("draining"));
    assertTrue(chrome.text("#message").contains("web/b1: draining (version 13, applied on n1, n2)"),
        chrome.text("#message"));

    chrome.click(B1 + " button[data-action='enable']");
    await().atMost(WAIT).until(() -> chrome.text(B1 + " .admin-state").equals("enabled"));
    assertFalse(chrome.present("#token-dialog:not([hidden])"));
    assertEquals("Bearer " + TOKEN, api.seen().stream().filter(s -> s.method().equals("POST")).reduce((a, b) -> b)
        .orElseThrow().authorization());
  }

  @Test
  void wrongTokenShowsTheApiMessageAndIsForgotten() {
    chrome.script("sessionStorage.setItem('tandem.adminToken', 'guess')");
    chrome.click(B1 + " button[data-action='drain']");

    await().atMost(WAIT).until(() -> chrome.present("#message.error"));
    assertEquals("Drain web/b1 failed: missing or wrong admin token (HTTP 401). The token was forgotten; try again.",
        chrome.text("#message-text"));
    assertTrue(chrome.script("return sessionStorage.getItem('tandem.adminToken')").isNull());
    assertEquals("enabled", api.backend("web", "b1").path("adminState").asText());
  }

  @Test
  void changeNotAppliedInTimeShowsWhoIsPending() {
    api.answer("POST", "/api/v1/pools/web/backends/b1/drain", 504, """
        {"pool":"web","backend":"b1","adminState":"draining","weight":1,"version":13,"applied":["n1","n2"],
         "pending":["n3"],"error":"not applied by n3 within 5000 ms"}""");
    chrome.script("sessionStorage.setItem('tandem.adminToken', '" + TOKEN + "')");
    chrome.click(B1 + " button[data-action='drain']");

    await().atMost(WAIT).until(() -> chrome.present("#message.error"));
    assertEquals("Drain web/b1 failed: not applied by n3 within 5000 ms — pending on n3 (HTTP 504)",
        chrome.text("#message-text"));
  }
}
