package io.tandem.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tandem.config.BackendTlsConfig;
import io.tandem.config.HealthConfig;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GrpcProbe against grpc-java's own health service and against servers that answer something else, all on port 0:
 * cleartext HTTP/2 with prior knowledge (TLS is in {@link GrpcProbeTlsTest}).
 */
class GrpcProbeTest {
  /** Roomy: the first calls into a cold grpc-java server are slow on a busy machine. */
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Duration SHORT = Duration.ofMillis(300);

  private static Vertx vertx;
  private static Probes probes;
  private static HealthStatusManager health;
  private static Server grpc;
  private static Server noHealthService;
  private static final AtomicReference<Handler<HttpServerRequest>> h2Answer = new AtomicReference<>();
  private static int h2Port;
  private static int http1Port;
  private static int silentPort;
  private static final List<NetSocket> silentSockets = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    probes = new Probes(vertx);
    health = new HealthStatusManager(); // the server as a whole ("") starts SERVING
    health.setStatus("my.pkg.Echo", ServingStatus.SERVING);
    health.setStatus("my.pkg.Sick", ServingStatus.NOT_SERVING);
    grpc = grpcServer().addService(health.getHealthService()).build().start();
    noHealthService = grpcServer().build().start();

    HttpServer h2 = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(req -> h2Answer.get().handle(req));
    h2Port = h2.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    HttpServer http1 = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(req -> req.response().end("plain HTTP/1.1"));
    http1Port = http1.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    NetServer silent = vertx.createNetServer().connectHandler(silentSockets::add);
    silentPort = silent.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    probes.close();
    grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    noHealthService.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static NettyServerBuilder grpcServer() {
    return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  static HealthConfig.Active grpc(String service, BackendTlsConfig tls) {
    return grpc(service, tls, TIMEOUT);
  }

  static HealthConfig.Active grpc(String service, BackendTlsConfig tls, Duration timeout) {
    return HealthConfig.Active.grpc(service, tls, Duration.ofSeconds(1), timeout, 1, 1);
  }

  static ProbeTarget backend(String host, int port) {
    return new ProbeTarget("p", "b1", host, port);
  }

  static ProbeResult run(Probes probes, HealthConfig.Active cfg, ProbeTarget target) throws Exception {
    return run(probes.forConfig(cfg), target);
  }

  static ProbeResult run(Probe probe, ProbeTarget target) throws Exception {
    CompletableFuture<ProbeResult> done = probe.probe(target).toCompletionStage().toCompletableFuture();
    await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10)).until(done::isDone);
    ProbeResult r = done.get();
    assertFalse(r.latency().isNegative());
    return r;
  }

  private static void assertProbe(String service, int port, boolean ok, String detail) throws Exception {
    ProbeResult r = run(probes, grpc(service, null), backend("127.0.0.1", port));
    assertEquals(detail, r.detail());
    assertEquals(ok, r.ok());
  }

  /** The h2 server answers every request with {@code status}, {@code headers}, {@code body} and {@code trailers}. */
  private static void h2Answers(int status, String contentType, Buffer body, String grpcStatus) {
    h2Answer.set(req -> req.body().onSuccess(ignored -> {
      var resp = req.response().setStatusCode(status);
      if (contentType != null) {
        resp.putHeader("content-type", contentType);
      }
      if (grpcStatus != null) {
        resp.putTrailer("grpc-status", grpcStatus);
      }
      resp.end(body);
    }));
  }

  private static Buffer message(int... bytes) {
    Buffer b = Buffer.buffer().appendByte((byte) 0).appendInt(bytes.length);
    for (int x : bytes) {
      b.appendByte((byte) x);
    }
    return b;
  }

  @Test
  void servingServerPasses() throws Exception {
    assertProbe("", grpc.getPort(), true, "status SERVING");
  }

  @Test
  void namedServiceIsAskedAbout() throws Exception {
    assertProbe("my.pkg.Echo", grpc.getPort(), true, "status SERVING");
    assertProbe("my.pkg.Sick", grpc.getPort(), false, "status NOT_SERVING");
    assertProbe("my.pkg.Other", grpc.getPort(), false, "grpc-status 5 NOT_FOUND: unknown service my.pkg.Other");
  }

  @Test
  void statusChangesAreSeenByTheNextProbe() throws Exception {
    health.setStatus("my.pkg.Flip", ServingStatus.NOT_SERVING);
    assertProbe("my.pkg.Flip", grpc.getPort(), false, "status NOT_SERVING");
    health.setStatus("my.pkg.Flip", ServingStatus.SERVING);
    assertProbe("my.pkg.Flip", grpc.getPort(), true, "status SERVING");
    health.clearStatus("my.pkg.Flip");
    assertProbe("my.pkg.Flip", grpc.getPort(), false, "grpc-status 5 NOT_FOUND: unknown service my.pkg.Flip");
  }

  @Test
  void aServerWithoutTheHealthServiceFails() throws Exception {
    assertProbe("", noHealthService.getPort(), false,
        "grpc-status 12 UNIMPLEMENTED: Method not found: grpc.health.v1.Health/Check");
  }

  @Test
  void everyServingStatusButServingFails() throws Exception {
    h2Answers(200, "application/grpc", message(0x08, 0x03), "0");
    assertProbe("", h2Port, false, "status SERVICE_UNKNOWN");
    h2Answers(200, "application/grpc+proto", message(), "0");
    assertProbe("", h2Port, false, "status UNKNOWN");
    h2Answers(200, "application/grpc", message(0x08, 0x09), "0");
    assertProbe("", h2Port, false, "status 9");
    h2Answers(200, "application/grpc", message(0x08, 0x01, 0x10, 0x05), "0");
    assertProbe("", h2Port, true, "status SERVING");
  }

  @Test
  void theRequestIsAGrpcCall() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    h2Answer.set(req -> req.body().onSuccess(body -> {
      seen.set(req.method() + " " + req.path() + " " + req.version() + " " + req.getHeader("content-type") + " "
          + req.getHeader("te") + " " + req.getHeader("grpc-timeout") + " " + body.length());
      req.response().putHeader("content-type", "application/grpc").putTrailer("grpc-status", "0")
          .end(message(0x08, 0x01));
    }));
    assertProbe("my.pkg.Echo", h2Port, true, "status SERVING");
    assertEquals("POST /grpc.health.v1.Health/Check HTTP_2 application/grpc trailers 5000m " + (5 + 2 + 11),
        seen.get());
  }

  @Test
  void answersThatAreNotGrpcFail() throws Exception {
    h2Answers(404, "text/plain", Buffer.buffer("no such path"), null);
    assertProbe("", h2Port, false, "http status 404");
    h2Answers(200, "text/html", Buffer.buffer("<html>"), null);
    assertProbe("", h2Port, false, "not a gRPC answer: content-type text/html");
    h2Answers(200, null, Buffer.buffer(), null);
    assertProbe("", h2Port, false, "not a gRPC answer: no content-type");
    h2Answers(200, "application/grpc-web", message(0x08, 0x01), "0");
    assertProbe("", h2Port, false, "not a gRPC answer: content-type application/grpc-web");
  }

  @Test
  void malformedAnswersFail() throws Exception {
    h2Answers(200, "application/grpc", message(0x08, 0x01), null);
    assertProbe("", h2Port, false, "malformed answer: no grpc-status");
    h2Answers(200, "application/grpc", Buffer.buffer(new byte[] {0, 0, 0, 0, 9, 0x08}), "0");
    assertProbe("", h2Port, false, "malformed answer: message of 9 bytes cut short at 1");
    h2Answers(200, "application/grpc", message(0x0A, 0x01, 0x01), "0");
    assertProbe("", h2Port, false, "malformed answer: status field of wire type 2 (a varint was expected)");
    h2Answers(200, "application/grpc", Buffer.buffer(), "0");
    assertProbe("", h2Port, false, "malformed answer: no response message");
    h2Answers(200, "application/grpc", Buffer.buffer(new byte[70_000]), "0");
    assertProbe("", h2Port, false, "answer longer than 65536 bytes");
    h2Answers(200, "application/grpc", message(), "OK");
    assertProbe("", h2Port, false, "grpc-status \"OK\" (not a status code)");
  }

  @Test
  void grpcMessageIsPercentDecoded() throws Exception {
    h2Answer.set(req -> req.body().onSuccess(ignored -> req.response().putHeader("content-type", "application/grpc")
        .putHeader("grpc-status", "14").putHeader("grpc-message", "draining%3A 100%25 caf%C3%A9 %zz").end()));
    assertProbe("", h2Port, false, "grpc-status 14 UNAVAILABLE: draining: 100% café %zz");
  }

  @Test
  void aPlainHttp1ServerFails() throws Exception {
    ProbeResult r = run(probes, grpc("", null), backend("127.0.0.1", http1Port));
    assertFalse(r.ok());
    assertEquals("not an HTTP/2 server: it answered in HTTP/1.x", r.detail());
  }

  @Test
  void aStoppedServerFails() throws Exception {
    Server gone = grpcServer().addService(new HealthStatusManager().getHealthService()).build().start();
    int port = gone.getPort();
    assertProbe("", port, true, "status SERVING");
    gone.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    assertProbe("", port, false, "connection refused");
  }

  @Test
  void aServerThatNeverAnswersTimesOutAndTheConnectionIsClosed() throws Exception {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    h2Answer.set(req -> req.connection().closeHandler(v -> closed.complete(null))); // the stream stays open
    ProbeResult hung = run(probes, grpc("", null, SHORT), backend("127.0.0.1", h2Port));
    assertEquals("timeout after 300ms", hung.detail());   // the probe's own time-out gave the verdict
    assertFalse(hung.ok());
    await().atMost(Duration.ofSeconds(5)).until(closed::isDone);
  }

  @Test
  void aServerThatNeverSendsSettingsHoldsOneConnectionNotOnePerProbe() throws Exception {
    Probe probe = probes.forConfig(grpc("", null, SHORT));
    ProbeTarget silent = backend("127.0.0.1", silentPort);
    int before = silentSockets.size();
    ProbeResult first = run(probe, silent);
    assertEquals("timeout after 300ms", first.detail());
    assertFalse(first.ok());
    await().atMost(Duration.ofSeconds(5)).until(() -> silentSockets.size() == before + 1);

    ProbeResult second = run(probe, silent);
    assertEquals("no HTTP/2 settings yet from the server on the connection an earlier probe opened", second.detail());
    assertFalse(second.ok());
    assertEquals(before + 1, silentSockets.size(), "no second connection while the first waits");

    silentSockets.get(before).close(); // the server gives up on it: the attempt ends
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      run(probe, silent);
      return silentSockets.size() == before + 2;
    });
  }
}
