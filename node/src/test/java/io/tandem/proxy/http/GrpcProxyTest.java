package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.tandem.config.BackendProtocol;
import io.tandem.config.BackendTlsConfig;
import io.tandem.config.PoolConfig;
import io.tandem.testing.GrpcBackend;
import io.tandem.testing.TestConfigs;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * gRPC calls relayed: streaming calls of every kind, every call balanced on its own, the backend's status in the
 * trailers, deadlines, h2 backends over TLS, stream limits, and Tandem's own refusals as gRPC statuses.
 */
class GrpcProxyTest extends GrpcTestBase {
  @Test
  void allFourCallKindsAreRelayed() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    startWith(h2cPool(b1));
    ManagedChannel c = channel();

    assertEquals("b1:hello", blocking(c).unaryRpc(msg("hello")).getResponseMessage());

    List<String> streamed = new ArrayList<>();
    blocking(c).serverStreamingRpc(msg("5")).forEachRemaining(r -> streamed.add(r.getResponseMessage()));
    assertEquals(List.of("b1:0", "b1:1", "b1:2", "b1:3", "b1:4"), streamed);

    CompletableFuture<String> clientStreamed = new CompletableFuture<>();
    StreamObserver<SimpleRequest> up = SimpleServiceGrpc.newStub(c).clientStreamingRpc(observer(clientStreamed,
        new CopyOnWriteArrayList<>()));
    for (String part : List.of("a", "b", "c")) {
      up.onNext(msg(part));
    }
    up.onCompleted();
    assertEquals("b1:abc", clientStreamed.get(10, TimeUnit.SECONDS));

    // Bidirectional: each answer comes back before the next message is sent (the stream is relayed as it goes).
    List<String> bidi = new CopyOnWriteArrayList<>();
    CompletableFuture<String> bidiDone = new CompletableFuture<>();
    StreamObserver<SimpleRequest> both = SimpleServiceGrpc.newStub(c).bidiStreamingRpc(observer(bidiDone, bidi));
    for (int i = 0; i < 3; i++) {
      both.onNext(msg("m" + i));
      int seen = i + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> bidi.size() == seen);
    }
    both.onCompleted();
    bidiDone.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("b1:m0", "b1:m1", "b1:m2"), bidi);
  }

  @Test
  void callsOfOneConnectionAreBalancedOneByOne() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    GrpcBackend b2 = grpcBackend("b2", GrpcBackend.Options.plain());
    startWith(h2cPool(b1, b2));
    ManagedChannel c = channel();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      seen.add(backendOf(blocking(c).unaryRpc(msg("x" + i))));
    }
    assertEquals(10, seen.stream().filter("b1"::equals).count(), seen.toString());
    assertEquals(10, seen.stream().filter("b2"::equals).count(), seen.toString());
    // Per-stream: each backend saw its calls on the node's HTTP/2 connections, few of them.
    assertTrue(b1.connections() <= eventLoops() && b2.connections() <= eventLoops(),
        b1.connections() + " and " + b2.connections() + " connections");
  }

  @Test
  void trailersCarryTheBackendsStatus() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    startWith(h2cPool(b1));
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> blocking(channel()).unaryRpc(msg("fail:5")));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals("failed as asked", e.getStatus().getDescription());
    await().atMost(Duration.ofSeconds(5)).until(() -> node.listener("web").grpc().series().stream()
        .anyMatch(s -> s.service().equals("grpc.testing.SimpleService") && s.method().equals("UnaryRpc")
            && s.status().equals("5")));
  }

  @Test
  void aRateLimitedCallIsResourceExhausted() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    start(config(eventLoops(), front().rateLimit(new io.tandem.config.RateLimitConfig(
        "calls", "/", null, null, io.tandem.config.RateLimitConfig.Key.SOURCE, null, 1, Duration.ofMinutes(1), 1,
        io.tandem.config.RateLimitConfig.DEFAULT_MAX_KEYS)), h2cPool(b1)));
    ManagedChannel c = channel();
    blocking(c).unaryRpc(msg("first"));
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> blocking(c).unaryRpc(msg("second")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
  }

  @Test
  void noBackendIsUnavailable() throws Exception {
    GrpcBackend gone = grpcBackend("gone", GrpcBackend.Options.plain());
    int port = gone.port();
    gone.close();
    startWith(pool("app").protocol(BackendProtocol.H2C).backend("gone", port).retries(1, false));
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> blocking(channel()).unaryRpc(msg("x")));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("tandem"), e.getStatus().toString());
  }

  @Test
  void grpcTimeoutIsTheCallsDeadline() throws Exception {
    GrpcBackend slow = grpcBackend("slow", GrpcBackend.Options.plain().withDelay(3000));
    startWith(h2cPool(slow));
    // A client that sets no deadline of its own: Tandem's answer is the only one it can get.
    HttpClientAgent h2 = vertx.httpClientBuilder().with(http2ClientOptions()).build();
    byte[] body = grpcFrame(msg("late").toByteArray());
    io.vertx.core.MultiMap got = h2.request(new RequestOptions().setMethod(HttpMethod.POST).setPort(port())
            .setHost("127.0.0.1").setURI("/grpc.testing.SimpleService/UnaryRpc")
            .putHeader("content-type", "application/grpc").putHeader("te", "trailers")
            .putHeader("grpc-timeout", "300m"))
        .compose(req -> req.send(io.vertx.core.buffer.Buffer.buffer(body)).compose(resp -> resp.end()
            .map(v -> {
              io.vertx.core.MultiMap all = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
              all.addAll(resp.headers()).addAll(resp.trailers());
              all.add(":status", Integer.toString(resp.statusCode()));
              return all;
            })))
        .await(10, TimeUnit.SECONDS);
    assertEquals("200", got.get(":status"));
    // DEADLINE_EXCEEDED is Tandem's: the backend would have answered OK, 3 s later.
    assertEquals("4", got.get("grpc-status"), got.toString());
    assertEquals("127.0.0.1", slow.headers().get(0).get(io.grpc.Metadata.Key.of("x-forwarded-for",
        io.grpc.Metadata.ASCII_STRING_MARSHALLER)), "the hop is added to X-Forwarded-For");
    String forwarded = slow.headers().get(0).get(GrpcBackend.GRPC_TIMEOUT);
    assertNotNull(forwarded);
    assertTrue(forwarded.endsWith("m") && Long.parseLong(forwarded.substring(0, forwarded.length() - 1)) <= 300,
        "the backend is given what is left of the deadline: " + forwarded);
  }

  @Test
  void h2BackendsOverTls() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain().withTls(back));
    start(config(eventLoops(), front(), pool("app").protocol(BackendProtocol.H2)
        .tls(new BackendTlsConfig(certs.caCert(), "localhost", false)).backend("b1", b1.port())));
    assertEquals("b1:secure", blocking(channel()).unaryRpc(msg("secure")).getResponseMessage());
  }

  @Test
  void streamsBeyondTheBackendsLimitOpenAnotherConnectionOrWait() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain().withMaxStreams(2));
    start(config(1, front(), h2cPool(b1)
        .http2(new PoolConfig.Http2(2, Duration.ofSeconds(30), Duration.ofSeconds(10)))));
    SimpleServiceGrpc.SimpleServiceFutureStub stub = SimpleServiceGrpc.newFutureStub(channel())
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    b1.hold("c");
    List<com.google.common.util.concurrent.ListenableFuture<SimpleResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(stub.unaryRpc(msg("c" + i)));
    }
    // Both connections full: four calls held at the backend, six waiting in Tandem.
    await().atMost(Duration.ofSeconds(10)).until(() -> b1.held() == 4);
    assertTrue(calls.stream().noneMatch(java.util.concurrent.Future::isDone), "no call answered or failed yet");
    b1.release();
    for (var f : calls) {
      assertEquals("b1", backendOf(f.get(20, TimeUnit.SECONDS)));
    }
    assertEquals(2, b1.connections(), "two connections of two streams each, the rest waited");
    assertEquals(0, node.listener("web").count(io.tandem.util.Outcome.BACKEND_ERROR), "no stream was refused");
    assertTrue(b1.maxInFlight() <= 4, "in flight at once: " + b1.maxInFlight());
  }

  @Test
  void accessLogAndMetricsNameServiceMethodAndStatus() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    start(new io.tandem.config.TandemConfig(null, TestConfigs.nodeSettings(eventLoops(), Duration.ofSeconds(1)),
        List.of(front().build()), List.of(h2cPool(b1).build()),
        new io.tandem.config.AccessLogConfig(true)));
    try (io.tandem.testing.LogCapture log = io.tandem.testing.LogCapture.of("tandem.access")) {
      blocking(channel()).unaryRpc(msg("counted"));
      await().atMost(Duration.ofSeconds(5)).until(() -> log.lines().stream().anyMatch(l ->
          l.contains("grpc_service=\"grpc.testing.SimpleService\"") && l.contains("grpc_method=\"UnaryRpc\"")
              && l.contains("grpc_status=\"0\"")));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> node.listener("web").grpc().series().stream()
        .anyMatch(s -> s.method().equals("UnaryRpc") && s.status().equals("0") && s.calls() == 1));
    assertEquals(Set.of("grpc.testing.SimpleService"), node.listener("web").grpc().series().stream()
        .map(GrpcCounters.Series::service).collect(Collectors.toSet()));
    String scrape = node.metrics().scrape();
    assertTrue(scrape.contains("tandem_grpc_calls_total{grpc_status=\"0\",listener=\"web\",method=\"UnaryRpc\","
        + "service=\"grpc.testing.SimpleService\"} 1"), scrape.lines()
        .filter(l -> l.contains("grpc")).collect(Collectors.joining("\n")));
  }
}
