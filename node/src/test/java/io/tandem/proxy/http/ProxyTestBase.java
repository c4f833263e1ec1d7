package io.tandem.proxy.http;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.TandemConfig;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Starts real fake backends and a real node on port 0. Subclasses choose the number of event loops, so every
 * integration test runs once with one loop and once with several.
 */
abstract class ProxyTestBase {
  protected Vertx vertx;
  protected TandemNode node;
  protected final List<FakeBackend> backends = new ArrayList<>();
  protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Event loops of the node under test. */
  protected abstract int eventLoops();

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stopAll() throws Exception {
    if (node != null) {
      node.shutdown(Duration.ofMillis(200)).await(10, TimeUnit.SECONDS);
    }
    backends.forEach(FakeBackend::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  protected FakeBackend backend(String name) {
    FakeBackend b = FakeBackend.start(vertx, name);
    backends.add(b);
    return b;
  }

  /** Starts the node with listener "web" in front of pool "app" over {@code bs}, round robin. */
  protected void startSimple(FakeBackend... bs) throws Exception {
    var p = TestConfigs.pool("app");
    for (FakeBackend b : bs) {
      p.backend(b.name(), b.port());
    }
    start(TestConfigs.config(eventLoops(), TestConfigs.listener("web"), p));
  }

  protected TandemNode start(TandemConfig config) throws Exception {
    node = TandemNode.start(config).await(10, TimeUnit.SECONDS);
    return node;
  }

  /** Starts the node from {@code yaml} written to {@code dir}, as an operator's file (relative paths from there). */
  protected TandemNode startYaml(java.nio.file.Path dir, String yaml) throws Exception {
    java.nio.file.Path file = dir.resolve("tandem-" + System.nanoTime() + ".yaml");
    java.nio.file.Files.writeString(file, yaml);
    return start(io.tandem.config.ConfigLoader.load(file));
  }

  protected int port() {
    return node.port("web");
  }

  protected HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
        .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends a GET for {@code path} without waiting for the answer. */
  protected CompletableFuture<HttpResponse<String>> sendAsync(String path) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
