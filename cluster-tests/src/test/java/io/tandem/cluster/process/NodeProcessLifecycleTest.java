package io.tandem.cluster.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as a separate process: reload on SIGHUP (a bad file keeps the old configuration), graceful stop on
 * SIGTERM (in-flight requests finish, exit code 0).
 */
class NodeProcessLifecycleTest {
  @TempDir
  Path dir;
  private Vertx vertx;
  private FakeBackend one;
  private FakeBackend two;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void backends() {
    assumeTrue(Files.exists(NodeProcess.JAR),
        "needs the built jar node/target/tandem.jar: run `mvn -B verify` from the repository root");
    vertx = Vertx.vertx();
    one = FakeBackend.start(vertx, "one");
    two = FakeBackend.start(vertx, "two");
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      one.close();
      two.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private String config(String defaultPool) {
    return "node: {event-loops: 1, drain-timeout: 10s}\n"
        + "access-log: {enabled: false}\n"
        + "listeners:\n"
        + "  - {name: web, bind: 127.0.0.1:0, default-pool: " + defaultPool + "}\n"
        + "pools:\n"
        + "  - {name: first, backends: [{id: one, address: 127.0.0.1:" + one.port() + "}]}\n"
        + "  - {name: second, backends: [{id: two, address: 127.0.0.1:" + two.port() + "}]}\n";
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void reloadsOnSighupAndKeepsServingThroughABadFile() throws Exception {
    Path file = NodeProcess.writeConfig(dir, config("first"));
    try (NodeProcess node = NodeProcess.start(file)) {
      int port = node.awaitPort("web");
      assertEquals("one", get(port, "/").headers().firstValue("x-backend").orElseThrow());

      Files.writeString(file, config("second").replace("default-pool: second", "default-pool: nope"));
      node.signal("HUP");
      await().atMost(Duration.ofSeconds(10)).until(() -> node.logged("listeners[0].default-pool"));
      assertEquals("one", get(port, "/").headers().firstValue("x-backend").orElseThrow(), "old config serves");

      Files.writeString(file, config("second"));
      node.signal("HUP");
      await().atMost(Duration.ofSeconds(10))
          .until(() -> get(port, "/").headers().firstValue("x-backend").orElseThrow().equals("two"));
    }
  }

  @Test
  void sigtermDrainsInFlightRequestsAndExitsZero() throws Exception {
    one.always(Action.echo().delayedBy(Duration.ofMillis(1500)));
    try (NodeProcess node = NodeProcess.start(NodeProcess.writeConfig(dir, config("first")))) {
      int port = node.awaitPort("web");
      CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).build(),
          HttpResponse.BodyHandlers.ofString());
      one.awaitRequests(1);
      node.signal("TERM");
      HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), "the in-flight request finished during the drain");
      assertEquals(0, node.awaitExit(Duration.ofSeconds(20)), String.join("\n", node.lines()));
      assertTrue(node.logged("stopping"), "the stop is logged");
    }
  }
}
