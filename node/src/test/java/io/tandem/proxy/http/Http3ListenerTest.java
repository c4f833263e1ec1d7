package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import io.tandem.testing.TestTls;
import io.tandem.config.ListenerConfig;
import io.tandem.config.RouteConfig;
import io.tandem.util.Outcome;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.H3Client;
import io.tandem.testing.Received;
import io.tandem.testing.TestCerts;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/3 on a TLS listener, driven by Netty's HTTP/3 client over real UDP on loopback: requests take the listener's
 * routes, persistence, limits and outcomes like HTTP/1.1 and HTTP/2 ones, one exchange per stream.
 */
class Http3ListenerTest extends ProxyTestBase {
  @TempDir
  static Path dir;
  static TestCerts.Pair a;
  static TestCerts.Pair b;

  @Override
  protected int eventLoops() {
    return 2;
  }

  @BeforeAll
  static void makeCertificates() {
    TestCerts certs = TestCerts.create(dir);
    a = certs.leaf("a", "a.tandem.test");
    b = certs.leaf("b", "b.tandem.test");
  }

  private static ListenerConfig.Http3 h3() {
    return ListenerConfig.Http3.defaults();
  }

  private void startH3(ListenerConfig.Http3 h3, FakeBackend... bs) throws Exception {
    io.tandem.testing.TestConfigs.PoolBuilder p = pool("app");
    for (FakeBackend f : bs) {
      p.backend(f.name(), f.port());
    }
    start(config(eventLoops(), listener("web").tls(TestTls.tls(null, List.of(a, b))).http3(h3), p));
  }

  private H3Client client() throws Exception {
    return H3Client.connect(new InetSocketAddress("127.0.0.1", port()), "a.tandem.test");
  }

  private static H3Client.Response await5(CompletableFuture<H3Client.Response> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void getAndPostWithBodiesOnTheSamePortNumberAsTcp() throws Exception {
    FakeBackend b1 = backend("b1");
    startH3(h3(), b1);
    try (H3Client c = client()) {
      H3Client.Response r = await5(c.get("/hello?x=1", "x-test", "yes"));
      assertEquals(200, r.status(), r.toString());
      assertTrue(r.body().contains("\"backend\":\"b1\"") || r.body().contains("b1"), r.body());
      byte[] body = new byte[100_000];
      Arrays.fill(body, (byte) 'x');
      H3Client.Response posted = await5(c.request("POST", "/upload", body, "content-type", "text/plain",
          "content-length", "100000"));
      assertEquals(200, posted.status(), posted.toString());
      byte[] chunkedBody = "no length given".getBytes(StandardCharsets.US_ASCII);
      Http3Headers head = new DefaultHttp3Headers().method("PUT").path("/nolength").scheme("https")
          .authority("a.tandem.test:" + port());
      H3Client.Response put = await5(c.send(head, new byte[][] {chunkedBody, chunkedBody}, null));
      assertEquals(200, put.status(), put.toString());
    }
    List<Received> got = b1.awaitRequests(3);
    Received first = got.get(0);
    assertEquals("GET", first.method());
    assertEquals("/hello?x=1", first.uri());
    assertEquals("yes", first.header("x-test"));
    assertEquals("https", first.header("x-forwarded-proto"));
    assertEquals("a.tandem.test:" + port(), first.header("host"));
    assertEquals("HTTP/1.1", first.version());
    assertEquals(100_000, got.get(1).body().length);
    assertEquals("100000", got.get(1).header("content-length"));
    assertEquals("no length givenno length given", new String(got.get(2).body(), StandardCharsets.US_ASCII));
    assertTrue(node.listener("web").count(Outcome.OK) >= 3);
  }

  @Test
  void tcpAnswersAdvertiseHttp3WithAltSvc() throws Exception {
    FakeBackend b1 = backend("b1");
    startH3(h3(), b1);
    for (io.vertx.core.http.HttpVersion version : List.of(io.vertx.core.http.HttpVersion.HTTP_1_1,
        io.vertx.core.http.HttpVersion.HTTP_2)) {
      io.vertx.core.http.HttpClientAgent tcp = vertx.httpClientBuilder().with(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(version).setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false)).build();
      String altSvc = tcp.request(io.vertx.core.http.HttpMethod.GET, port(), "127.0.0.1", "/")
          .compose(req -> req.send()).map(resp -> resp.getHeader("alt-svc"))
          .await(10, TimeUnit.SECONDS);
      assertEquals("h3=\":" + port() + "\"; ma=86400", altSvc, version.toString());
      tcp.close();
    }
    try (H3Client c = client()) {
      assertNull(await5(c.get("/")).header("alt-svc"), "HTTP/3 answers need no advertisement");
    }
  }

  @Test
  void manyStreamsOnOneConnectionAreBalancedOneByOne() throws Exception {
    FakeBackend b1 = backend("b1");
    FakeBackend b2 = backend("b2");
    startH3(h3(), b1, b2);
    try (H3Client c = client()) {
      List<CompletableFuture<H3Client.Response>> all = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        all.add(c.get("/s/" + i));
      }
      try {
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        long done = all.stream().filter(CompletableFuture::isDone).count();
        throw new AssertionError("answered " + done + " of 60; backends saw " + b1.received().size() + " + "
            + b2.received().size() + "; ok " + node.listener("web").count(Outcome.OK) + ", aborted "
            + node.listener("web").count(Outcome.CLIENT_ABORTED) );
      }
      for (CompletableFuture<H3Client.Response> f : all) {
        assertEquals(200, await5(f).status());
      }
    }
    assertEquals(30, b1.received().size());
    assertEquals(30, b2.received().size());
    assertEquals(60, node.listener("web").count(Outcome.OK));
  }

  @Test
  void aBackendFailureGets502AndChunkedAnswersAndTrailersComeThrough() throws Exception {
    FakeBackend b1 = backend("b1");
    b1.behavior(req -> req.uri().equals("/boom") ? Action.reset()
        : req.uri().equals("/chunked") ? Action.chunked(200, "0123456789abcdef", 4) : Action.echo());
    startH3(h3(), b1);
    try (H3Client c = client()) {
      H3Client.Response boom = await5(c.get("/boom"));
      assertEquals(502, boom.status(), boom.toString());
      H3Client.Response chunked = await5(c.get("/chunked"));
      assertEquals(200, chunked.status());
      assertEquals("0123456789abcdef", chunked.body());
      assertNull(chunked.header("transfer-encoding"), "no HTTP/1.1 framing on HTTP/3");
      assertEquals(200, await5(c.get("/after")).status(), "the connection outlives a failed stream");
    }
    assertTrue(node.listener("web").count(Outcome.BACKEND_ERROR) >= 1);
  }

  @Test
  void routingAndSniApplyAsOverTcp() throws Exception {
    FakeBackend web = backend("web1");
    FakeBackend api = backend("api1");
    start(config(eventLoops(), listener("web").tls(TestTls.tls(null, List.of(a, b))).http3(h3())
            .route(new RouteConfig.Match(List.of(), "/api", null, List.of(), List.of(), List.of()), "api"),
        pool("app").backend(web.name(), web.port()), pool("api").backend(api.name(), api.port())));
    try (H3Client c = client()) {
      assertEquals(200, await5(c.get("/api/v1")).status());
      assertEquals(200, await5(c.get("/index.html")).status());
    }
    assertEquals("/api/v1", api.awaitRequests(1).get(0).uri());
    assertEquals("/index.html", web.awaitRequests(1).get(0).uri());
  }

  @Test
  void malformedRequestsAre400AndNeverReachABackend() throws Exception {
    FakeBackend b1 = backend("b1");
    startH3(h3(), b1);
    try (H3Client c = client()) {
      Http3Headers smuggle = new DefaultHttp3Headers().method("GET").path("/x").scheme("https")
          .authority("a.tandem.test");
      smuggle.add("transfer-encoding", "chunked");
      assertEquals(400, await5(c.send(smuggle, null, null)).status());
      Http3Headers crlf = new DefaultHttp3Headers(false).method("GET").path("/x").scheme("https")
          .authority("a.tandem.test");
      crlf.add("x-evil", "a\r\nx-injected: 1");
      H3Client.Response r = await5(c.send(crlf, null, null));
      assertTrue(r.status() == 400 || r.error() != null, r.toString());
      assertEquals(200, await5(c.get("/fine")).status());
    }
    List<Received> got = b1.awaitRequests(1);
    assertEquals(1, got.size());
    assertEquals("/fine", got.get(0).uri());
    assertTrue(node.listener("web").count(Outcome.BAD_REQUEST) >= 1);
  }

  @Test
  void connectionsBeyondTheLimitAreRefused() throws Exception {
    FakeBackend b1 = backend("b1");
    ListenerConfig.Http3 d = h3();
    startH3(new ListenerConfig.Http3(0, 1, d.maxStreams(), d.idleTimeout(), d.retry(), d.retryThreshold(),
        false, d.altSvcMaxAge(), d.connectionWindow(), d.streamWindow()), b1);
    try (H3Client first = client()) {
      assertEquals(200, await5(first.get("/one")).status());
      Exception refused = null;
      try (H3Client second = client()) {
        H3Client.Response r = await5(second.get("/two"));
        assertTrue(r.error() != null, "the second connection is refused: " + r);
      } catch (Exception e) {
        refused = e;
      }
      assertTrue(refused != null || node.listener("web").count(Outcome.LISTENER_FULL) >= 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> node.listener("web").count(Outcome.LISTENER_FULL) >= 1);
      assertEquals(200, await5(first.get("/still")).status(), "the admitted connection keeps working");
    }
  }

  @Test
  void retryAlwaysValidatesTheAddressFirst() throws Exception {
    FakeBackend b1 = backend("b1");
    ListenerConfig.Http3 d = h3();
    startH3(new ListenerConfig.Http3(0, d.maxConnections(), d.maxStreams(), d.idleTimeout(),
        ListenerConfig.Http3.Retry.ALWAYS, 0, false, d.altSvcMaxAge(), d.connectionWindow(), d.streamWindow()), b1);
    try (H3Client c = client()) {
      assertEquals(200, await5(c.get("/after-retry")).status());
    }
    io.tandem.proxy.h3.H3Stats.Snapshot s = node.listener("web").http3().snapshot();
    assertTrue(s.retries() >= 1, s.toString());
    assertTrue(s.accepted() >= 1, s.toString());
    assertTrue(s.streams() >= 1, s.toString());
  }

  /**
   * With early-data on, a client that resumes sends its request in 0-RTT data (Netty's client does, on
   * SslEarlyDataReadyEvent); the server here completes the handshake before it reads the stream (quiche takes the
   * data in 1-RTT), so the request is an ordinary one: answered, not marked Early-Data, not refused. Whether a request
   * that does arrive in 0-RTT is refused (unsafe) or marked (safe) is H3Stream's {@code early} branch, which this
   * pair of Netty peers does not reach.
   */
  @Test
  void resumedConnectionsWithEarlyDataOnAreServedAndNotMarkedAfterTheHandshake() throws Exception {
    FakeBackend b1 = backend("b1");
    ListenerConfig.Http3 d = h3();
    start(config(eventLoops(), listener("web").tls(TestTls.tls(null, List.of(a))).http3(
        new ListenerConfig.Http3(0, d.maxConnections(), d.maxStreams(), d.idleTimeout(), d.retry(),
            d.retryThreshold(), true, d.altSvcMaxAge(), d.connectionWindow(), d.streamWindow())),
        pool("app").backend(b1.name(), b1.port())));
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", port());
    io.netty.handler.codec.quic.QuicSslContext tickets = H3Client.context(true);
    try (H3Client first = H3Client.connect(server, "a.tandem.test", tickets)) {
      assertEquals(200, await5(first.get("/full-handshake")).status());
    }
    Http3Headers get = new DefaultHttp3Headers().method("GET").path("/resumed").scheme("https")
        .authority("a.tandem.test:" + port());
    try (H3Client second = H3Client.connect(server, "a.tandem.test", tickets, get)) {
      assertEquals(200, await5(second.earlyResponse()).status());
    }
    List<Received> got = b1.awaitRequests(2);
    assertEquals("/resumed", got.get(1).uri());
    assertNull(got.get(1).header("early-data"));
    assertEquals(0, node.listener("web").count(Outcome.TOO_EARLY));
  }

  @Test
  void aCertificateReloadReachesNewHttp3Connections() throws Exception {
    TestCerts certs = TestCerts.create(java.nio.file.Files.createDirectories(dir.resolve("reload")));
    TestCerts.Pair first = certs.leaf("live", "a.tandem.test");
    TestCerts.Pair second = certs.leaf("next", "a.tandem.test");
    FakeBackend b1 = backend("b1");
    start(config(eventLoops(), listener("web").tls(TestTls.tls(null, List.of(first))).http3(h3()),
        pool("app").backend(b1.name(), b1.port())));
    java.math.BigInteger before = servedSerial();
    java.nio.file.Files.copy(second.cert(), first.cert(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    java.nio.file.Files.copy(second.key(), first.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    node.listener("web").tls().poll().await(10, TimeUnit.SECONDS);
    java.math.BigInteger after = servedSerial();
    assertTrue(!before.equals(after), "a new connection gets the reloaded certificate");
    assertEquals(serial(second.cert()), after);
  }

  private java.math.BigInteger servedSerial() throws Exception {
    try (H3Client c = client()) {
      assertEquals(200, await5(c.get("/cert")).status());
      return ((java.security.cert.X509Certificate) c.quic().sslEngine().getSession().getPeerCertificates()[0])
          .getSerialNumber();
    }
  }

  private static java.math.BigInteger serial(Path pem) throws Exception {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(pem)) {
      return ((java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in)).getSerialNumber();
    }
  }
}
