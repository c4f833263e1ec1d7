package io.tandem.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tandem.config.HealthConfig;
import io.tandem.config.HealthConfig.CheckType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HttpProbe and TcpProbe against real servers on port 0. */
class ProbesTest {
  private static Vertx vertx;
  private static Probes probes;
  private static int httpPort;
  private static int tcpPort;
  private static int closedPort;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    probes = new Probes(vertx);
    HttpServer http = vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/ok" -> req.response().end("all ok");
        case "/fail" -> req.response().setStatusCode(500).end("broken");
        case "/host" -> req.response().end("host=[" + req.headers().get("Host") + "]");
        case "/close" -> req.connection().close();
        case "/hang" -> { } // never answers
        default -> req.response().setStatusCode(404).end();
      }
    });
    httpPort = http.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    NetServer tcp = vertx.createNetServer().connectHandler(socket -> socket.write("hello"));
    tcpPort = tcp.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    NetServer closed = vertx.createNetServer().connectHandler(socket -> socket.close());
    closedPort = closed.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    closed.close().await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    probes.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static HealthConfig.Active http(String path, int min, int max, String host, String body, long timeoutMs) {
    return new HealthConfig.Active(CheckType.HTTP, "GET", path, host, min, max, body,
        Duration.ofSeconds(1), Duration.ofMillis(timeoutMs), 1, 1);
  }

  private static HealthConfig.Active http(String path) {
    return http(path, 200, 399, null, null, 2000);
  }

  private static HealthConfig.Active tcp(long timeoutMs) {
    return new HealthConfig.Active(CheckType.TCP, null, null, null, 0, 0, null,
        Duration.ofSeconds(1), Duration.ofMillis(timeoutMs), 1, 1);
  }

  private static ProbeTarget backend(int port) {
    return new ProbeTarget("p", "b1", "127.0.0.1", port);
  }

  private static ProbeResult run(HealthConfig.Active cfg, int port) throws Exception {
    Future<ProbeResult> f = probes.forConfig(cfg).probe(backend(port));
    CompletableFuture<ProbeResult> done = f.toCompletionStage().toCompletableFuture();
    await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10)).until(done::isDone);
    ProbeResult r = done.get();
    assertFalse(r.latency().isNegative());
    return r;
  }

  private static void assertProbe(HealthConfig.Active cfg, int port, boolean ok, String detail) throws Exception {
    ProbeResult r = run(cfg, port);
    assertEquals(detail, r.detail());
    assertEquals(ok, r.ok());
  }

  @Test
  void statusInRangePasses() throws Exception {
    assertProbe(http("/ok"), httpPort, true, "status 200");
  }

  @Test
  void statusOutOfRangeFails() throws Exception {
    assertProbe(http("/fail"), httpPort, false, "status 500");
  }

  @Test
  void rangeIsConfigurable() throws Exception {
    assertProbe(http("/fail", 500, 599, null, null, 2000), httpPort, true, "status 500");
  }

  @Test
  void bodyMustContainExpectedText() throws Exception {
    assertProbe(http("/ok", 200, 299, null, "healthy", 2000), httpPort, false, "body does not contain 'healthy'");
    assertProbe(http("/ok", 200, 299, null, "ok", 2000), httpPort, true, "status 200");
  }

  @Test
  void hostHeaderIsTheBackendAddressByDefault() throws Exception {
    assertProbe(http("/host", 200, 299, null, "host=[127.0.0.1:" + httpPort + "]", 2000), httpPort, true,
        "status 200");
  }

  @Test
  void hostHeaderCanBeConfigured() throws Exception {
    assertProbe(http("/host", 200, 299, "health.example", "host=[health.example]", 2000), httpPort, true,
        "status 200");
  }

  @Test
  void httpConnectionRefused() throws Exception {
    assertProbe(http("/ok"), closedPort, false, "connection refused");
  }

  @Test
  void httpTimeoutWhenTheServerNeverAnswers() throws Exception {
    assertProbe(http("/hang", 200, 399, null, null, 200), httpPort, false, "timeout after 200ms");
  }

  @Test
  void httpConnectionClosedWithoutAnswer() throws Exception {
    assertProbe(http("/close"), httpPort, false, "connection closed before the response ended");
  }

  @Test
  void tcpConnectPasses() throws Exception {
    assertProbe(tcp(1000), tcpPort, true, "connected");
  }

  @Test
  void tcpConnectionRefused() throws Exception {
    assertProbe(tcp(1000), closedPort, false, "connection refused");
  }
}
