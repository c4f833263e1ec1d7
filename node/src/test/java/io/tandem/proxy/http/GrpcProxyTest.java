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
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.tandem.testing.TestTls;
import io.tandem.config.BackendProtocol;
import io.tandem.config.BackendTlsConfig;
import io.tandem.config.HealthConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.TlsConfig;
import io.tandem.testing.GrpcBackend;
import io.tandem.testing.NoLeakedBuffers;
import io.tandem.testing.TestCerts;
import io.tandem.testing.TestConfigs;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through a node with real grpc-java on both sides: an HTTPS listener offering h2 in front (an h2c one in
 * {@link GrpcH2cFrontTest}), pools of h2c (and h2) gRPC servers behind. Every call is balanced on its own; streaming calls of every kind are relayed; a backend
 * going away gracefully loses no call; Tandem's own refusals are gRPC statuses.
 */
@ExtendWith(NoLeakedBuffers.class)
class GrpcProxyTest extends ProxyTestBase {
  @TempDir
  static Path dir;
  static TestCerts certs;
  static TestCerts.Pair front;
  static TestCerts.Pair back;

  private final List<GrpcBackend> grpcBackends = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @Override
  protected int eventLoops() {
    return 2;
  }

  @BeforeAll
  static void makeCertificates() {
    certs = TestCerts.create(dir);
    front = certs.leaf("front", "grpc.tandem.test");
    back = certs.leaf("back", "localhost", "127.0.0.1");
  }

  @AfterEach
  void stopGrpc() {
    channels.forEach(c -> c.shutdownNow());
    grpcBackends.forEach(GrpcBackend::close);
  }

  private GrpcBackend grpcBackend(String name, GrpcBackend.Options options) {
    GrpcBackend b = GrpcBackend.start(name, options);
    grpcBackends.add(b);
    return b;
  }

  static TlsConfig frontTls() {
    return TestTls.tls(null, List.of(front));
  }

  private TestConfigs.PoolBuilder h2cPool(GrpcBackend... bs) {
    TestConfigs.PoolBuilder p = pool("app").protocol(BackendProtocol.H2C)
        .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(60));
    for (GrpcBackend b : bs) {
      p.backend(b.name(), b.port());
    }
    return p;
  }

  /** Whether the front is an h2c listener (gRPC clients in clear text) rather than HTTPS with h2 by ALPN. */
  protected boolean h2cFront() {
    return false;
  }

  private TestConfigs.ListenerBuilder front() {
    return h2cFront() ? listener("web").h2c() : listener("web").tls(frontTls());
  }

  private HttpClientOptions http2ClientOptions() {
    HttpClientOptions o = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2);
    return h2cFront() ? o.setHttp2ClearTextUpgrade(false)
        : o.setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false);
  }

  private void startWith(TestConfigs.PoolBuilder pool) throws Exception {
    start(config(eventLoops(), front(), pool));
  }

  private ManagedChannel channel() throws Exception {
    NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", port());
    ManagedChannel c = h2cFront() ? b.usePlaintext().build()
        : b.sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
            .overrideAuthority("grpc.tandem.test").build();
    channels.add(c);
    return c;
  }

  private static SimpleRequest msg(String m) {
    return SimpleRequest.newBuilder().setRequestMessage(m).build();
  }

  private static SimpleServiceGrpc.SimpleServiceBlockingStub blocking(ManagedChannel c) {
    return SimpleServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static String backendOf(SimpleResponse r) {
    return r.getResponseMessage().substring(0, r.getResponseMessage().indexOf(':'));
  }

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

  private static StreamObserver<SimpleResponse> observer(CompletableFuture<String> done, List<String> each) {
    return new StreamObserver<>() {
      String last;

      @Override
      public void onNext(SimpleResponse r) {
        last = r.getResponseMessage();
        each.add(last);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(last);
      }
    };
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
  void aBackendGoingAwayMidLoadLosesNoCall() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain().withDelay(20));
    GrpcBackend b2 = grpcBackend("b2", GrpcBackend.Options.plain().withDelay(20));
    startWith(h2cPool(b1, b2));
    ManagedChannel c = channel();
    SimpleServiceGrpc.SimpleServiceFutureStub stub = SimpleServiceGrpc.newFutureStub(c)
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    List<com.google.common.util.concurrent.ListenableFuture<SimpleResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      calls.add(stub.unaryRpc(msg("n" + i)));
      if (i == 150) {
        b1.shutdown();   // GOAWAY; what it took finishes, what it did not goes to b2
      }
      if (i % 50 == 49) {
        calls.get(i).get(20, TimeUnit.SECONDS);   // keep a few hundred in flight, not all at once
      }
    }
    Set<String> answered = new HashSet<>();
    for (var f : calls) {
      answered.add(backendOf(f.get(20, TimeUnit.SECONDS)));
    }
    assertEquals(Set.of("b1", "b2"), answered);
  }

  @Test
  void connectionsTheBackendRotatesByGoAwayLoseNoCall() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain().withDelay(5).withMaxConnectionAge(150));
    GrpcBackend b2 = grpcBackend("b2", GrpcBackend.Options.plain().withDelay(5).withMaxConnectionAge(150));
    startWith(h2cPool(b1, b2));
    SimpleServiceGrpc.SimpleServiceFutureStub stub = SimpleServiceGrpc.newFutureStub(channel());
    // Waves of calls until the backends have rotated their connections (each lives 150 ms), then one more wave on
    // the new ones: a call lost across a GOAWAY fails its future.
    int[] calls = {0};
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
      wave(stub, calls);
      return b1.connections() + b2.connections() > 2;
    });
    wave(stub, calls);
    assertTrue(b1.connections() + b2.connections() > 2, "the backends rotated their connections: "
        + b1.connections() + " + " + b2.connections() + " over " + calls[0] + " calls");
  }

  /** Twenty calls at once; each must answer (throws if one was lost). */
  private static void wave(SimpleServiceGrpc.SimpleServiceFutureStub stub, int[] calls) throws Exception {
    List<com.google.common.util.concurrent.ListenableFuture<SimpleResponse>> wave = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      wave.add(stub.withDeadlineAfter(20, TimeUnit.SECONDS).unaryRpc(msg("w" + i)));
    }
    for (var f : wave) {
      f.get(20, TimeUnit.SECONDS);
      calls[0]++;
    }
  }

  @Test
  void aReloadThatChangesThePoolLetsCallsInFlightFinish() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain().withDelay(800));
    startWith(h2cPool(b1));
    ManagedChannel c = channel();
    var slow = SimpleServiceGrpc.newFutureStub(c).withDeadlineAfter(20, TimeUnit.SECONDS).unaryRpc(msg("slow"));
    await().atMost(Duration.ofSeconds(5)).until(() -> b1.calls() == 1);
    node.reload(config(eventLoops(), front(), h2cPool(b1)
        .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(61)))).await(10, TimeUnit.SECONDS);
    b1.delay(0);
    assertEquals("b1:fast", blocking(c).unaryRpc(msg("fast")).getResponseMessage());   // on a new connection
    assertEquals("b1:slow", slow.get(20, TimeUnit.SECONDS).getResponseMessage());
    assertEquals(2, b1.connections());
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
  void aDeadBackendsCallsGoToTheOtherWithinTheHealthChecksTime() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    GrpcBackend b2 = grpcBackend("b2", GrpcBackend.Options.plain());
    HealthConfig health = new HealthConfig(new HealthConfig.Active(HealthConfig.CheckType.TCP, null, null, null, 0,
        0, null, Duration.ofMillis(100), Duration.ofMillis(200), 1, 1), null);
    startWith(h2cPool(b1, b2).health(health));
    ManagedChannel c = channel();
    for (int i = 0; i < 4; i++) {
      blocking(c).unaryRpc(msg("warm"));
    }
    b1.close();   // abrupt: connections reset, port closed
    // The bound is the await's: six calls in a row all answered by b2 within 5 s.
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      Set<String> last = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        try {
          last.add(backendOf(blocking(c).unaryRpc(msg("after"))));
        } catch (StatusRuntimeException e) {
          last.add("error");
        }
      }
      return last.equals(Set.of("b2"));
    });
  }

  @Test
  void aBackendTheGrpcHealthCheckFindsNotServingGetsNoCalls() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    GrpcBackend b2 = grpcBackend("b2", GrpcBackend.Options.plain());
    HealthConfig health = new HealthConfig(HealthConfig.Active.grpc(null, null, Duration.ofMillis(100),
        Duration.ofMillis(500), 1, 1), null);
    startWith(h2cPool(b1, b2).health(health));
    ManagedChannel c = channel();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      Set<String> s = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        s.add(backendOf(blocking(c).unaryRpc(msg("both"))));
      }
      return s.size() == 2;
    });
    b1.health().setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      Set<String> s = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        s.add(backendOf(blocking(c).unaryRpc(msg("one"))));
      }
      return s.equals(Set.of("b2"));
    });
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
    long t0 = System.nanoTime();
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
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals("200", got.get(":status"));
    assertEquals("4", got.get("grpc-status"), got.toString());
    assertTrue(ms >= 250 && ms < 2500, ms + " ms");
    assertEquals("127.0.0.1", slow.headers().get(0).get(io.grpc.Metadata.Key.of("x-forwarded-for",
        io.grpc.Metadata.ASCII_STRING_MARSHALLER)), "the hop is added to X-Forwarded-For");
    String forwarded = slow.headers().get(0).get(GrpcBackend.GRPC_TIMEOUT);
    assertNotNull(forwarded);
    assertTrue(forwarded.endsWith("m") && Long.parseLong(forwarded.substring(0, forwarded.length() - 1)) <= 300,
        "the backend is given what is left of the deadline: " + forwarded);
  }

  static byte[] grpcFrame(byte[] message) {
    byte[] frame = new byte[5 + message.length];
    frame[1] = (byte) (message.length >>> 24);
    frame[2] = (byte) (message.length >>> 16);
    frame[3] = (byte) (message.length >>> 8);
    frame[4] = (byte) message.length;
    System.arraycopy(message, 0, frame, 5, message.length);
    return frame;
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
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain().withMaxStreams(2).withDelay(100));
    start(config(1, front(), h2cPool(b1)
        .http2(new PoolConfig.Http2(2, Duration.ofSeconds(30), Duration.ofSeconds(10)))));
    SimpleServiceGrpc.SimpleServiceFutureStub stub = SimpleServiceGrpc.newFutureStub(channel())
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    List<com.google.common.util.concurrent.ListenableFuture<SimpleResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(stub.unaryRpc(msg("c" + i)));
    }
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
