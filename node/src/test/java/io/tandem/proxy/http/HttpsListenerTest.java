package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static io.tandem.testing.TestTls.https;
import static io.tandem.testing.TestTls.httpsText;
import static io.tandem.testing.TestTls.socket;
import static io.tandem.testing.TestTls.tls;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.config.AccessLogConfig;
import io.tandem.config.BackendTlsConfig;
import io.tandem.config.ListenerConfig;
import io.tandem.config.RouteConfig;
import io.tandem.config.TandemConfig;
import io.tandem.config.TlsConfig;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.LogCapture;
import io.tandem.testing.RawHttp;
import io.tandem.testing.Received;
import io.tandem.testing.TestCerts;
import io.tandem.testing.TestConfigs;
import io.tandem.util.Outcome;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** HTTPS listeners: SNI, ALPN to HTTP/2, client certificates, redirects and HSTS, routes by SNI, re-encryption. */
class HttpsListenerTest extends HttpsTestBase {
  @Test
  void sniPicksExactThenWildcardThenDefault() throws Exception {
    assumeTrue(TestCerts.available("openssl"), "openssl is not installed");
    startTls(tls("default.tandem.test", List.of(a, wild, fallback)), backend("b1"));
    assertEquals("a.tandem.test", sClientSubject("a.tandem.test"));
    assertEquals("a.tandem.test", sClientSubject("A.TANDEM.TEST"));
    assertEquals("*.w.tandem.test", sClientSubject("x.w.tandem.test"));
    assertEquals("default.tandem.test", sClientSubject("x.y.w.tandem.test"));
    assertEquals("default.tandem.test", sClientSubject("unknown.example"));
    assertEquals("default.tandem.test", sClientSubject(null));
  }

  @Test
  void curlOverHttp1AndHttp2WithForwardingHeaders() throws Exception {
    assumeTrue(TestCerts.available("curl"), "curl is not installed");
    FakeBackend b = backend("b1");
    startTls(tls(null, List.of(a)), b);
    String h1 = curl("--http1.1", "https://a.tandem.test:" + port() + "/one?x=1");
    assertTrue(h1.startsWith("HTTP/1.1 200"), h1);
    String h2 = curl("--http2", "https://a.tandem.test:" + port() + "/two");
    assertTrue(h2.startsWith("HTTP/2 200"), h2);
    List<Received> got = b.awaitRequests(2);
    for (Received r : got) {
      assertEquals("https", r.header("x-forwarded-proto"));
      assertEquals("a.tandem.test:" + port(), r.header("host"));
      assertEquals("a.tandem.test:" + port(), r.header("x-forwarded-host"));
      assertEquals("HTTP/1.1", r.version(), "the backend side stays HTTP/1.1");
    }
    assertEquals("/two", got.get(1).uri());
  }

  @Test
  void aClosedHttp2ConnectionGivesItsPlaceUnderThePerClientLimitBack() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").tls(tls(null, List.of(a))).maxConnectionsPerClient(1),
        pool("app").backend(b.name(), b.port())));
    for (int i = 0; i < 3; i++) {
      HttpClientAgent h2 = vertx.httpClientBuilder().with(new HttpClientOptions()
          .setProtocolVersion(HttpVersion.HTTP_2).setSsl(true).setUseAlpn(true).setTrustAll(true)
          .setVerifyHost(false)).build();
      int status = h2.request(HttpMethod.GET, port(), "127.0.0.1", "/h2-limit/" + i)
          .compose(req -> req.send().compose(resp -> resp.body().map(ignored -> resp.statusCode())))
          .await(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(200, status, "HTTP/2 connection " + i);
      h2.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
      // The next connection is admitted only once this one's place is given back.
      await().until(() -> node.clientConnections().open("web", "127.0.0.1") == 0);
    }
  }

  @Test
  void http2ClientsGetHttp2ThroughAlpn() throws Exception {
    FakeBackend b = backend("b1");
    startTls(tls(null, List.of(a)), b);
    HttpClientAgent h2 = vertx.httpClientBuilder().with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false)).build();
    try (LogCapture unhandled = LogCapture.of("io.vertx.core.impl.ContextImpl")) {
      for (int i = 0; i < 3; i++) {
        // Bodiless requests end with their HEADERS frame: nothing may be resumed on them (it threw on the event loop).
        int status = h2.request(HttpMethod.GET, port(), "127.0.0.1", "/h2-get/" + i)
            .compose(req -> req.send().compose(resp -> resp.body().map(ignored -> resp.statusCode())))
            .await(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, status);
      }
      assertEquals(List.of(), unhandled.lines().stream().filter(l -> l.startsWith("ERROR")).toList(),
          "no unhandled exception on the event loop");
    }
    for (int i = 0; i < 3; i++) {
      String body = "body-" + i;
      HttpVersion version = h2.request(HttpMethod.POST, port(), "127.0.0.1", "/h2/" + i)
          .compose(req -> req.putHeader("te", "trailers").send(body).compose(resp -> resp.body().map(ignored -> {
            assertEquals(200, resp.statusCode());
            return resp.version();
          }))).await(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(HttpVersion.HTTP_2, version);
    }
    h2.close();
    List<Received> got = b.awaitRequests(6).subList(3, 6);
    assertEquals("body-2", got.get(2).bodyAsString());
    assertEquals("127.0.0.1:" + port(), got.get(0).header("host"), ":authority becomes Host");
    assertNull(got.get(0).header("te"));
    assertEquals(6, node.listener("web").count(Outcome.OK));
  }

  @Test
  void theHttp2GuardsAreAnnouncedOverAlpnToo() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").tls(tls(null, List.of(a)))
        .http2(new ListenerConfig.Http2(7, 20_000, 131_072, 1 << 20, 50, Duration.ofSeconds(10))),
        pool("app").backend(b.name(), b.port())));
    HttpClientAgent h2 = vertx.httpClientBuilder().with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false)).build();
    io.vertx.core.http.Http2Settings announced = h2.request(HttpMethod.GET, port(), "127.0.0.1", "/settings")
        .compose(req -> req.send().compose(resp -> resp.body().map(ignored -> req.connection().remoteSettings())))
        .await(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(7, announced.getMaxConcurrentStreams());
    assertEquals(20_000, announced.getMaxHeaderListSize());
    assertEquals(131_072, announced.getInitialWindowSize());
    h2.close();
  }

  @Test
  void garbageInsteadOfAHelloIsClosedAndCounted() throws Exception {
    startTls(tls(null, List.of(a)), backend("b1"));
    try (Socket s = new Socket("127.0.0.1", port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // whatever the engine says (an alert, or nothing), the connection ends
      }
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> node.listener("web").count(Outcome.TLS_HANDSHAKE_FAILED) == 1);
    assertEquals(200, https(port(), "a.tandem.test", "/after"));
  }

  @Test
  void smugglingGuardStillAppliesOverTls() throws Exception {
    startTls(tls(null, List.of(a)), backend("b1"));
    SSLSocket s = socket(port(), "a.tandem.test");
    s.getOutputStream().write(("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    s.close();
  }

  @Test
  void clientCertificatesRequiredAreVerified() throws Exception {
    assumeTrue(TestCerts.available("curl"), "curl is not installed");
    TestCerts.Pair client = certs.client("client", "client.tandem.test");
    TestCerts.Pair stranger = new TestCerts.Pair(certs.ca("stranger-ca", "Stranger CA").cert(),
        dir.resolve("stranger-ca.key"));
    startTls(tls(null, List.of(a), TlsConfig.ClientAuth.REQUIRED, certs.caCert(), null, Duration.ofSeconds(5)),
        backend("b1"));
    String url = "https://a.tandem.test:" + port() + "/m";
    assertTrue(curl("--http1.1", "--cert", client.cert().toString(), "--key", client.key().toString(), url)
        .startsWith("HTTP/1.1 200"));
    assertTrue(curlFails("--http1.1", url), "no client certificate");
    assertTrue(curlFails("--cert", stranger.cert().toString(), "--key", stranger.key().toString(), url),
        "a certificate from another CA");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> node.listener("web").count(Outcome.TLS_HANDSHAKE_FAILED) >= 1);
  }

  @Test
  void redirectsPlainHttpAndAddsHsts() throws Exception {
    FakeBackend b = backend("b1");
    TlsConfig tls = tls(null, List.of(a), TlsConfig.ClientAuth.NONE, null,
        new TlsConfig.Hsts(Duration.ofDays(365), true), Duration.ofSeconds(5));
    TandemConfig cfg = new TandemConfig(null, TestConfigs.nodeSettings(eventLoops(), Duration.ofSeconds(5)),
        List.of(listener("web").tls(tls).build(), listener("plain").redirectToHttps(8443).build()),
        List.of(pool("app").backend(b.name(), b.port()).build()), new AccessLogConfig(false));
    start(cfg);
    try (RawHttp c = new RawHttp(node.port("plain"))) {
      RawHttp.Response r = c.send("GET /p/q?x=1 HTTP/1.1\r\nHost: shop.example.com:8080\r\n\r\n").read();
      assertEquals(308, r.status());
      assertEquals("https://shop.example.com:8443/p/q?x=1", r.header("location"));
      r = c.send("GET /again HTTP/1.1\r\nHost: shop.example.com\r\n\r\n").read();
      assertEquals("https://shop.example.com:8443/again", r.header("location"), "the connection stays usable");
    }
    assertEquals(2, node.listener("plain").count(Outcome.REDIRECTED));
    String answer = httpsText(port(), "a.tandem.test", "/");
    assertTrue(answer.toLowerCase(java.util.Locale.ROOT)
        .contains("\r\nstrict-transport-security: max-age=31536000; includesubdomains\r\n"), answer);
    assertEquals(0, b.received().stream().filter(x -> x.uri().startsWith("/p")).count());
  }

  @Test
  void routesBySni() throws Exception {
    FakeBackend one = backend("one");
    FakeBackend two = backend("two");
    RouteConfig.Match bySni = new RouteConfig.Match(List.of(), null, null, List.of(), List.of(), List.of(),
        List.of("*.w.tandem.test"));
    start(config(eventLoops(), listener("web").tls(tls(null, List.of(a, wild))).route(bySni, "w"),
        pool("app").backend("one", one.port()), pool("w").backend("two", two.port())));
    assertEquals(200, https(port(), "x.w.tandem.test", "/"));
    assertEquals(1, two.awaitRequests(1).size());
    assertEquals(200, https(port(), "a.tandem.test", "/"));
    assertEquals(1, one.awaitRequests(1).size());
  }

  @Test
  void reEncryptsToBackendsVerifyingTheirCertificate() throws Exception {
    FakeBackend secure = FakeBackend.startTls(vertx, "secure", a.cert(), a.key());
    backends.add(secure);
    BackendTlsConfig verified = new BackendTlsConfig(certs.caCert(), "a.tandem.test", false);
    BackendTlsConfig wrongName = new BackendTlsConfig(certs.caCert(), "other.tandem.test", false);
    RouteConfig.Match toWrong = new RouteConfig.Match(List.of(), "/wrong", null, List.of(), List.of(), List.of());
    start(config(eventLoops(), listener("web").route(toWrong, "wrong"),
        pool("app").backend("secure", secure.port()).tls(verified),
        pool("wrong").backend("secure", secure.port()).tls(wrongName).retries(1, false)));
    HttpResponse<String> r = get("/ok");
    assertEquals(200, r.statusCode());
    assertEquals("secure", r.headers().firstValue("x-backend").orElseThrow());
    assertEquals(502, get("/wrong").statusCode());
    assertEquals(1, node.listener("web").count(Outcome.BACKEND_CONNECT_FAILED));
  }
}
