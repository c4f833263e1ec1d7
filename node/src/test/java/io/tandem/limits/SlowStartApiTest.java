package io.tandem.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.AdminConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A backend added through the admin API (not by a reload) ramps up over the pool's slow-start window too. */
class SlowStartApiTest {
  private static final Duration WINDOW = Duration.ofSeconds(6);
  private static final String TOKEN = "slow-start-api-token-0123456789";
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<FakeBackend> backends = new ArrayList<>();
  private TandemNode node;

  /** One answered request: when (ms after the add was answered) and which backend. */
  private record Hit(long atMillis, String backend) {}

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    }
    backends.forEach(FakeBackend::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private FakeBackend backend(String id) {
    FakeBackend b = FakeBackend.start(vertx, id);
    b.behavior(req -> Action.respond(200, id));
    backends.add(b);
    return b;
  }

  @Test
  void aBackendAddedThroughTheAdminApiRampsUp() throws Exception {
    FakeBackend b1 = backend("b1");
    FakeBackend b2 = backend("b2");
    node = TandemNode.start(TestConfigs.config(1, TestConfigs.listener("web").defaultPool("app"),
            TestConfigs.pool("app").slowStart(WINDOW).backend("b1", b1.port()))
        .withAdmin(AdminConfig.listen("127.0.0.1", 0, TOKEN))).await(30, TimeUnit.SECONDS);
    URI traffic = URI.create("http://127.0.0.1:" + node.port("web") + "/");
    assertEquals("b1", http.send(HttpRequest.newBuilder(traffic).build(), HttpResponse.BodyHandlers.ofString())
        .body().strip());

    HttpResponse<String> added = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.adminPort() + "/api/v1/pools/app/backends"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"b2\",\"host\":\"127.0.0.1\",\"port\":" + b2.port() + "}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, added.statusCode(), added.body());
    long start = System.nanoTime();

    List<Hit> hits = new ArrayList<>();
    while (System.nanoTime() < start + WINDOW.toNanos()) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(traffic).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      hits.add(new Hit(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), r.body().strip()));
    }

    // b2's share per third of the window: round robin over two backends gives it 50% once the window is over;
    // during it, about 50% x (elapsed / window). Without slow start it would be 50% from the first request.
    long third = WINDOW.toMillis() / 3;
    double[] share = new double[3];
    for (int t = 0; t < 3; t++) {
      long from = t * third;
      List<Hit> in = hits.stream().filter(h -> h.atMillis() >= from && h.atMillis() < from + third).toList();
      share[t] = in.isEmpty() ? Double.NaN : in.stream().filter(h -> h.backend().equals("b2")).count()
          / (double) in.size();
    }
    String which = String.format("b2's share per third of the window: %.2f %.2f %.2f (ideal averages 0.08 0.25 0.42)",
        share[0], share[1], share[2]);
    assertTrue(share[0] < share[2], which);
    assertTrue(share[0] < 0.35, which);
    assertTrue(share[2] > 0.2, which);
  }
}
