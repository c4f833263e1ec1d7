package io.tandem.admin.metrics;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.RouteConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real node with real traffic, scraped through the handler the admin API mounts at {@code GET /metrics}. */
class NodeMetricsTest {
  private static final RouteConfig.Match HANG = new RouteConfig.Match(List.of(), "/hang", null, List.of(), List.of(),
      List.of());
  private static final RouteConfig.Match DEAD = new RouteConfig.Match(List.of(), "/dead", null, List.of(), List.of(),
      List.of());

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Vertx vertx;
  private TandemNode node;
  private HttpServer admin;
  private FakeBackend b1;
  private FakeBackend b2;
  private FakeBackend hung;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    b1 = FakeBackend.start(vertx, "b1");
    b2 = FakeBackend.start(vertx, "b2");
    hung = FakeBackend.start(vertx, "h1").always(Action.hang());
    node = TandemNode.start(nodeConfig(2)).await(10, TimeUnit.SECONDS);
    // What the admin API does with the handler.
    Router router = Router.router(node.vertx());
    router.get("/metrics").handler(node.metrics().handler());
    admin = node.vertx().createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
  }

  private TandemConfig nodeConfig(int backends) {
    var app = pool("app").backend("b1", b1.port());
    if (backends == 2) {
      app.backend("b2", b2.port());
    }
    return config(1, listener("web").route(HANG, "slow").route(DEAD, "dead"), app,
        pool("slow").backend("h1", hung.port()), pool("dead").backend("d1", FakeBackend.refusingPort()));
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.shutdown(Duration.ofMillis(200)).await(10, TimeUnit.SECONDS);
    }
    b1.close();
    b2.close();
    hung.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void countersPerOutcomeMoveAndHistogramsAddUp() throws Exception {
    for (int i = 0; i < 10; i++) {
      assertEquals(200, get("/x").statusCode());
    }
    assertEquals(502, get("/dead").statusCode());
    PrometheusText m = scrape();

    assertEquals(10, m.value("tandem_listener_requests_total", "listener", "web", "outcome", "ok"));
    assertEquals(1, m.value("tandem_listener_requests_total", "listener", "web", "outcome", "backend_connect_failed"));
    assertEquals(0, m.value("tandem_listener_requests_total", "listener", "web", "outcome", "no_backend"));
    assertEquals("counter", m.type("tandem_listener_requests_total"));
    double ok1 = m.value("tandem_backend_requests_total", "pool", "app", "backend", "b1", "outcome", "ok");
    double ok2 = m.value("tandem_backend_requests_total", "pool", "app", "backend", "b2", "outcome", "ok");
    assertEquals(5, ok1);   // round robin
    assertEquals(5, ok2);
    // One attempt: the pool has no other backend to retry on.
    assertEquals(1, m.value("tandem_backend_requests_total", "pool", "dead", "backend", "d1",
        "outcome", "backend_connect_failed"));

    assertEquals("histogram", m.type("tandem_backend_request_duration_seconds"));
    assertHistogram(m, "tandem_backend_request_duration_seconds", 5, "pool", "app", "backend", "b1");
    assertHistogram(m, "tandem_backend_request_duration_seconds", 1, "pool", "dead", "backend", "d1");
    assertHistogram(m, "tandem_listener_request_duration_seconds", 11, "listener", "web");

    List<BackendFigures> figures = node.metrics().backends();
    BackendFigures f1 = figures.stream().filter(f -> f.backend().equals("b1")).findFirst().orElseThrow();
    assertEquals(5, f1.outcomes().byOutcome().get("ok"));
    assertEquals(5, f1.outcomes().total());
    assertEquals(0, f1.outcomes().errors());
    assertEquals(5, f1.latency().count());
    assertTrue(f1.latency().p50Millis() > 0 && f1.latency().p50Millis() <= f1.latency().p90Millis()
        && f1.latency().p90Millis() <= f1.latency().p99Millis(), f1.latency().toString());
    BackendFigures dead = figures.stream().filter(f -> f.backend().equals("d1")).findFirst().orElseThrow();
    assertEquals(1, dead.outcomes().errors());
    ListenerFigures web = node.metrics().listeners().get(0);
    assertEquals("web", web.listener());
    assertEquals(11, web.outcomes().total());
    assertEquals(1, web.outcomes().errors());
    assertEquals(11, web.latency().count());
  }

  @Test
  void gaugesShowRequestsInFlightAndConnections() throws Exception {
    CompletableFuture<HttpResponse<String>> pending = http.sendAsync(request("/hang"),
        HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() ->
        scrape().value("tandem_backend_active_requests", "pool", "slow", "backend", "h1") == 1);
    PrometheusText m = scrape();
    assertEquals(1, m.value("tandem_listener_connections", "listener", "web"));
    assertEquals(0, m.value("tandem_backend_active_requests", "pool", "app", "backend", "b1"));
    assertEquals(0, m.value("tandem_backend_peer_active_requests", "pool", "slow", "backend", "h1"));
    assertEquals(1, m.value("tandem_backend_healthy", "pool", "app", "backend", "b1"));
    assertEquals(1, m.value("tandem_backend_eligible", "pool", "app", "backend", "b1"));
    assertEquals(0, m.value("tandem_backend_ejected", "pool", "app", "backend", "b1"));
    assertEquals(1, m.value("tandem_backend_weight", "pool", "app", "backend", "b1"));
    assertEquals(2, m.value("tandem_pool_backends", "pool", "app"));
    assertEquals(2, m.value("tandem_pool_eligible_backends", "pool", "app"));
    assertEquals(0, m.value("tandem_pool_queue_waiting", "pool", "app"));

    hung.stop();   // the backend goes away mid-request: 502
    assertEquals(502, pending.get(10, TimeUnit.SECONDS).statusCode());
    await().atMost(Duration.ofSeconds(10)).until(() ->
        scrape().value("tandem_backend_active_requests", "pool", "slow", "backend", "h1") == 0);
    assertEquals(1, scrape().value("tandem_backend_requests_total", "pool", "slow", "backend", "h1",
        "outcome", "backend_error"));
  }

  @Test
  void aBackendRemovedOnReloadLosesItsMeters() throws Exception {
    get("/x");
    get("/x");
    PrometheusText before = scrape();
    assertFalse(before.find("tandem_backend_requests_total", "backend", "b2").isEmpty());
    assertFalse(before.find("tandem_backend_request_duration_seconds_bucket", "backend", "b2").isEmpty());

    node.reload(nodeConfig(1)).await(10, TimeUnit.SECONDS);
    PrometheusText after = scrape();
    for (String name : List.of("tandem_backend_requests_total", "tandem_backend_active_requests",
        "tandem_backend_healthy", "tandem_backend_request_duration_seconds_bucket",
        "tandem_backend_request_duration_seconds_count")) {
      assertTrue(after.find(name, "backend", "b2").isEmpty(), name + " of b2 is gone");
      assertFalse(after.find(name, "backend", "b1").isEmpty(), name + " of b1 stays");
    }
    assertEquals(1, after.value("tandem_backend_requests_total", "pool", "app", "backend", "b1", "outcome", "ok"));
    assertEquals(1, after.value("tandem_pool_backends", "pool", "app"));
    assertTrue(node.metrics().backends().stream().noneMatch(f -> f.backend().equals("b2")));
  }

  @Test
  void jvmVertxAndClusterFiguresArePresent() throws Exception {
    PrometheusText m = scrape();
    for (String name : List.of("jvm_memory_used_bytes", "jvm_gc_live_data_size_bytes", "jvm_threads_live_threads",
        "system_cpu_count", "process_uptime_seconds", "process_files_open_files")) {
      assertTrue(m.has(name), name);
    }
    assertTrue(m.hasPrefix("vertx_pool_"), "Vert.x worker pool metrics");
    assertTrue(m.has("netty_eventexecutor_tasks_pending"), "event loop queues");
    assertFalse(m.hasPrefix("vertx_http_server_"), "no per-request Vert.x HTTP server metrics");
    assertFalse(m.hasPrefix("vertx_http_client_"), "no per-request Vert.x HTTP client metrics");

    assertEquals(1, m.value("tandem_cluster_members"));
    assertEquals(1, m.value("tandem_cluster_quorum"));
    assertEquals(1, m.value("tandem_cluster_coordinator"));
    assertEquals(0, m.value("tandem_cluster_state_version"));
    assertTrue(m.value("tandem_routing_snapshot_version") >= 1);
    assertEquals(1, m.value("tandem_node_info", "node", node.config().nodeId()));
    assertFalse(m.has("tandem_cluster_peer_counts_age_seconds"), "a single node has no peers");
  }

  /** Buckets cumulative (never decreasing with le), +Inf equal to _count, and _count as expected. */
  private static void assertHistogram(PrometheusText m, String family, long count, String... labels) {
    List<PrometheusText.Sample> buckets = m.find(family + "_bucket", labels);
    assertEquals(LatencyCollector.EXPORTED.length, buckets.size());
    double previous = 0;
    double previousLe = 0;
    for (PrometheusText.Sample b : buckets) {
      double le = Double.parseDouble(b.labels().get("le").replace("+Inf", "Infinity"));
      assertTrue(le > previousLe, "le ascending");
      assertTrue(b.value() >= previous, "cumulative at le=" + le);
      previous = b.value();
      previousLe = le;
    }
    assertEquals(Double.POSITIVE_INFINITY, previousLe);
    assertEquals(count, m.value(family + "_count", labels));
    assertEquals(count, previous, "+Inf bucket equals _count");
    assertTrue(m.value(family + "_sum", labels) > 0);
  }

  private PrometheusText scrape() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + admin.actualPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
    return new PrometheusText(r.body());
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("web") + path))
        .timeout(Duration.ofSeconds(10)).build();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path), HttpResponse.BodyHandlers.ofString());
  }
}
