package io.tandem.limits;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.AdminConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.ManualClock;
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

/**
 * A backend added through the admin API (not by a reload) ramps up over the pool's slow-start window too. The node's
 * pool guards read a manual clock, so the test sets the point of the window each batch of requests is sent at.
 */
class SlowStartApiTest {
  private static final Duration WINDOW = Duration.ofSeconds(60);
  private static final String TOKEN = "slow-start-api-token-0123456789";
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<FakeBackend> backends = new ArrayList<>();
  private final ManualClock clock = new ManualClock();
  private TandemNode node;

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
        .withAdmin(AdminConfig.listen("127.0.0.1", 0, TOKEN)), clock).await(30, TimeUnit.SECONDS);
    URI traffic = URI.create("http://127.0.0.1:" + node.port("web") + "/");
    assertEquals("b1", http.send(HttpRequest.newBuilder(traffic).build(), HttpResponse.BodyHandlers.ofString())
        .body().strip());

    HttpResponse<String> added = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.adminPort() + "/api/v1/pools/app/backends"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"b2\",\"host\":\"127.0.0.1\",\"port\":" + b2.port() + "}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, added.statusCode(), added.body());
    PoolGuard guard = node.poolGuards().get("app");
    // Routable, and warming since now (a backend that is not warming has a share of 1).
    await().atMost(Duration.ofSeconds(10)).until(() -> node.registry().snapshot().pool("app").byId().containsKey("b2")
        && guard.share("b2", clock.nanoTime()) == 0);

    SlowStartRamp.assertRamp(WINDOW, clock, List.of(() -> guard.share("b2", clock.nanoTime())),
        List.of(SlowStartRamp.through(http, traffic)));
  }
}
