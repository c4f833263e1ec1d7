package io.tandem.cluster.browser;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.bootstrap.TandemNode;
import io.tandem.cluster.inproc.LocalCluster;
import io.tandem.config.HealthConfig;
import io.tandem.testing.FakeBackend;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard of a real three-node cluster in headless Chromium: it shows every node and backend, and a drain made
 * from n1's page is what n3's API reports. With {@code -Dtandem.dashboard.screenshot=FILE} it also waits for a minute
 * of traffic in the chart and saves a screenshot there (README's {@code docs/dashboard.png}).
 */
class DashboardClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TOKEN = "dashboard-cluster-token";
  private static final String SCREENSHOT = System.getProperty("tandem.dashboard.screenshot");

  private final Vertx vertx = Vertx.vertx();
  private final List<FakeBackend> backends = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
  private LocalCluster cluster;
  private List<TandemNode> nodes;
  private Chrome chrome;

  @BeforeEach
  void start() throws Exception {
    chrome = Chrome.start();
    TestConfigs.PoolBuilder pool = TestConfigs.pool("web").health(new HealthConfig(new HealthConfig.Active(
        HealthConfig.CheckType.HTTP, "GET", "/health", null, 200, 299, null, Duration.ofSeconds(1),
        Duration.ofMillis(500), 1, 2), null));
    for (String id : List.of("b1", "b2", "b3")) {
      FakeBackend backend = FakeBackend.start(vertx, id);
      backends.add(backend);
      pool.backend(id, backend.port());
    }
    cluster = new LocalCluster(3, null).withAdmin(TOKEN);
    nodes = cluster.start(TestConfigs.listener("web").defaultPool("web"), pool);
    // a little traffic through every node, so that the page has rates to show
    AtomicInteger next = new AtomicInteger();
    traffic.scheduleAtFixedRate(() -> {
      TandemNode node = nodes.get(next.getAndIncrement() % nodes.size());
      http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("web") + "/")).build(),
          HttpResponse.BodyHandlers.discarding());
    }, 0, 20, TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    traffic.shutdownNow();
    if (chrome != null) {
      chrome.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    backends.forEach(FakeBackend::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void showsTheClusterAndDrainsABackendEverywhere() throws Exception {
    chrome.open("http://127.0.0.1:" + nodes.get(0).adminPort() + "/");

    await().atMost(WAIT).until(() -> chrome.present("tr[data-backend='web/b3']") && chrome.present(
        "tr[data-node='n3']"));
    assertTrue(chrome.text("tr[data-node='n1']").contains("coordinator"), chrome.text("tr[data-node='n1']"));
    for (String node : List.of("n2", "n3")) {
      assertTrue(chrome.text("tr[data-node='" + node + "']").contains("up"), chrome.text("tr[data-node='" + node
          + "']"));
    }
    assertEquals("3 / 3", chrome.text("#kpi-nodes .card-value"));
    assertTrue(chrome.text("#vips").contains("No virtual IPs configured."), chrome.text("#vips"));
    // two polls make a rate; traffic runs through every node
    await().atMost(WAIT).until(() -> !List.of("–", "0", "0.0").contains(chrome.text("#kpi-rps .card-value")));

    chrome.click("tr[data-backend='web/b2'] button[data-action='drain']");
    await().atMost(WAIT).until(() -> chrome.present("#token-dialog:not([hidden])"));
    chrome.type("#token-input", TOKEN);
    chrome.click("#token-ok");

    await().atMost(WAIT).until(() -> chrome.text("#message").contains("web/b2: draining"));
    assertEquals("draining", adminState(nodes.get(2), "web", "b2"));
    await().atMost(WAIT).until(() -> chrome.text("tr[data-backend='web/b2'] .admin-state").equals("draining"));

    if (SCREENSHOT != null) {
      await().atMost(Duration.ofMinutes(2)).until(() -> chrome.script(
          "return document.querySelector('#rate-chart .rps-line').getAttribute('points').split(' ').length")
          .asInt() >= 40);
      chrome.screenshot(Path.of(SCREENSHOT));
    }
  }

  /** What {@code node}'s own admin API says about a backend's admin state. */
  private String adminState(TandemNode node, String pool, String id) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + node.adminPort() + "/api/v1/pools/" + pool + "/backends/" + id)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    JsonNode backend = new ObjectMapper().readTree(response.body());
    return backend.path("adminState").asText();
  }
}
