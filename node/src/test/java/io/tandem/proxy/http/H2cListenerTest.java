package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Error;
import io.tandem.config.ListenerConfig;
import io.tandem.util.Outcome;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.NoLeakedBuffers;
import io.tandem.testing.RawH2;
import io.tandem.testing.RawHttp;
import io.tandem.testing.Received;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A plain listener with {@code h2c: true}: HTTP/2 with prior knowledge and HTTP/1.1 on one port, to HTTP/1.1
 * backends, and the HTTP/2 front's guards (reset flood, concurrent streams, header list size) driven by a raw client.
 */
@ExtendWith(NoLeakedBuffers.class)
class H2cListenerTest extends ProxyTestBase {
  @Override
  protected int eventLoops() {
    return 2;
  }

  private FakeBackend startH2c(TestConfigs.ListenerBuilder web) throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), web, pool("app").backend(b.name(), b.port())));
    return b;
  }

  private static ListenerConfig.Http2 guards(int streams, int resets) {
    ListenerConfig.Http2 d = ListenerConfig.Http2.defaults(ListenerConfig.Limits.DEFAULTS);
    return new ListenerConfig.Http2(streams, d.maxHeaderListSize(), d.initialWindowSize(), d.connectionWindowSize(),
        resets, Duration.ofSeconds(30));
  }

  /** A prior-knowledge HTTP/2 client that keeps to one connection. */
  private HttpClientAgent h2c() {
    return vertx.httpClientBuilder()
        .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false))
        .with(new PoolOptions().setHttp2MaxSize(1))
        .build();
  }

  /** One request; the body handler is set in the callback the response arrives in (see RouteActionsTlsTest). */
  private Future<String> call(HttpClientAgent client, HttpMethod method, String path, String body) {
    return client.request(method, port(), "127.0.0.1", path).compose(req -> {
      Future<io.vertx.core.http.HttpClientResponse> sent = body == null ? req.send() : req.send(body);
      return sent.compose(resp -> resp.body().map(b -> resp.version() + " " + resp.statusCode() + " " + b));
    });
  }

  @Test
  void h2cClientGetsAndPostsThroughToAnHttp11Backend() throws Exception {
    FakeBackend b = startH2c(listener("web").h2c());
    HttpClientAgent client = h2c();
    String got = call(client, HttpMethod.GET, "/get?x=1", null).await(10, TimeUnit.SECONDS);
    assertTrue(got.startsWith("HTTP_2 200 "), got);
    assertTrue(got.contains("\"b1\""), got);
    String posted = call(client, HttpMethod.POST, "/post", "hello h2c").await(10, TimeUnit.SECONDS);
    assertTrue(posted.startsWith("HTTP_2 200 "), posted);
    client.close();
    List<Received> seen = b.awaitRequests(2);
    assertEquals("/get?x=1", seen.get(0).uri());
    assertEquals("HTTP/1.1", seen.get(0).version(), "the backend side stays HTTP/1.1");
    assertEquals("127.0.0.1:" + port(), seen.get(0).header("host"), ":authority becomes Host");
    assertEquals("http", seen.get(0).header("x-forwarded-proto"));
    assertEquals("POST", seen.get(1).method());
    assertEquals("hello h2c", seen.get(1).bodyAsString());
    assertEquals(2, node.listener("web").count(Outcome.OK));
  }

  @Test
  void manyConcurrentStreamsShareOneConnection() throws Exception {
    FakeBackend b = startH2c(listener("web").h2c());
    // Slow answers: the streams are open at the same time, each on its own backend connection.
    b.always(Action.echo().delayedBy(Duration.ofMillis(300)));
    HttpClientAgent client = h2c();
    Set<Object> clientConnections = ConcurrentHashMap.newKeySet();
    List<Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      calls.add(client.request(HttpMethod.GET, port(), "127.0.0.1", "/many/" + i).compose(req -> {
        clientConnections.add(req.connection());
        return req.send().compose(resp -> resp.body().map(x -> resp.statusCode()));
      }));
    }
    await().until(() -> b.received().size() >= 20);
    assertEquals(1, node.listener("web").connections().get(), "one client connection carries the streams");
    Future.all(calls).await(20, TimeUnit.SECONDS);
    calls.forEach(f -> assertEquals(200, f.result()));
    assertEquals(1, clientConnections.size());
    assertTrue(b.connectionCount() >= 20, "streams overlapped: " + b.connectionCount() + " backend connections");
    client.close();
  }

  @Test
  void http11OnTheSamePortKeepsItsConnectionAndDeclinesAnUpgradeToH2c() throws Exception {
    FakeBackend b = startH2c(listener("web").h2c());
    try (RawHttp raw = new RawHttp(port())) {
      for (int i = 0; i < 2; i++) {
        RawHttp.Response r = raw.send("GET /keep/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
        assertEquals(200, r.status());
      }
    }
    assertEquals(b.received().get(0).connection(), b.received().get(1).connection());
    assertEquals(0, node.listener("web").count(Outcome.BAD_REQUEST));
    // The JDK's client offers HTTP/2 over http:// with "Upgrade: h2c": declined, answered on HTTP/1.1.
    HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> r = jdk.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/offer"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals(HttpClient.Version.HTTP_1_1, r.version());
    Received offer = b.awaitRequests(3).get(2);
    assertNull(offer.header("upgrade"));
    assertNull(offer.header("http2-settings"));
  }

  @Test
  void aListenerWithoutH2cAnswersThePrefaceOnHttp11() throws Exception {
    startH2c(listener("web"));
    try (RawHttp raw = new RawHttp(port())) {
      RawHttp.Response r = raw.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").read();
      assertEquals(505, r.status(), "HTTP/2.0 in a request line is no HTTP/1.x version");
      assertTrue(raw.closedByPeer());
    }
    assertEquals(1, node.listener("web").count(Outcome.VERSION_NOT_SUPPORTED));
  }

  @Test
  void aPrefaceThatStopsHalfWayIsASlowHead() throws Exception {
    startH2c(listener("web").h2c().timeouts(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofSeconds(30)));
    try (RawHttp raw = new RawHttp(port())) {
      RawHttp.Response r = raw.send("PRI * HTTP/2.0\r\n").read();
      assertEquals(408, r.status());
      assertTrue(raw.closedByPeer());
    }
    assertEquals(1, node.listener("web").count(Outcome.CLIENT_TIMEOUT));
  }

  @Test
  void theConnectionLimitsHoldForHttp2ConnectionsToo() throws Exception {
    startH2c(listener("web").h2c().maxConnectionsPerClient(1));
    try (RawH2 first = RawH2.connect(vertx, port())) {
      await().until(() -> first.settings() != null);
      try (RawH2 second = RawH2.connect(vertx, port())) {
        await().until(second::closed);
        assertNull(second.settings(), "closed at accept, before any frame");
      }
      assertFalse(first.closed());
    }
    assertEquals(1, node.listener("web").count(Outcome.CLIENT_CONNECTIONS));
    await().until(() -> node.listener("web").connections().get() == 0);
  }

  @Test
  void rapidResetClosesTheConnectionAndSparesTheOthers() throws Exception {
    startH2c(listener("web").h2c().http2(guards(100, 20)));
    HttpClientAgent polite = h2c();
    assertTrue(call(polite, HttpMethod.GET, "/before", null).await(10, TimeUnit.SECONDS).startsWith("HTTP_2 200"));
    try (RawH2 attacker = RawH2.connect(vertx, port())) {
      await().until(() -> attacker.settings() != null);
      attacker.write(w -> {
        for (int id = 1; id <= 2 * 40 + 1; id += 2) {
          w.open(id, false).reset(id);
        }
      });
      await().until(attacker::closed);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), attacker.goAway());
    }
    await().until(() -> node.listener("web").count(Outcome.H2_RESET_FLOOD) == 1);
    assertTrue(call(polite, HttpMethod.GET, "/after", null).await(10, TimeUnit.SECONDS).startsWith("HTTP_2 200"),
        "the well-behaved client's connection is untouched");
    polite.close();
  }

  @Test
  void maxConcurrentStreamsIsAnnouncedAndEnforced() throws Exception {
    FakeBackend b = startH2c(listener("web").h2c().http2(guards(3, 200)));
    b.always(Action.hang());
    try (RawH2 h2 = RawH2.connect(vertx, port())) {
      await().until(() -> h2.settings() != null);
      assertEquals(3L, h2.settings().maxConcurrentStreams());
      // Settings take effect once acknowledged (RawH2 does at once): the fourth and fifth stream are refused.
      h2.write(w -> {
        for (int id = 1; id <= 9; id += 2) {
          w.open(id, true);
        }
      });
      await().until(() -> h2.resets().size() == 2);
      assertEquals(Map.of(7, Http2Error.REFUSED_STREAM.code(), 9, Http2Error.REFUSED_STREAM.code()), h2.resets());
      await().until(() -> b.received().size() == 3);
      assertFalse(h2.closed());
    }
  }

  @Test
  void aHeaderListOverTheLimitIsAnswered431() throws Exception {
    ListenerConfig.Http2 d = guards(100, 200);
    startH2c(listener("web").h2c().http2(new ListenerConfig.Http2(100, 4096, d.initialWindowSize(),
        d.connectionWindowSize(), 200, d.resetWindow())));
    try (RawH2 h2 = RawH2.connect(vertx, port())) {
      await().until(() -> h2.settings() != null);
      assertEquals(4096L, h2.settings().maxHeaderListSize());
      h2.write(w -> w.open(1, true, Map.of("x-big", "a".repeat(4500))).open(3, true));
      await().until(() -> h2.responses().size() == 2);
      assertEquals("431", h2.responses().get(1).status().toString());
      assertEquals("200", h2.responses().get(3).status().toString(), "the connection goes on");
      assertFalse(h2.closed());
    }
  }

  @Test
  void aGracefulStopLetsAnHttp2StreamFinishThenClosesItsConnection() throws Exception {
    FakeBackend b = startH2c(listener("web").h2c());
    b.always(Action.echo().delayedBy(Duration.ofMillis(300)));
    HttpClientAgent client = h2c();
    Future<String> inFlight = call(client, HttpMethod.GET, "/in-flight", null);
    await().until(() -> b.received().size() == 1);
    Future<Void> stopped = node.shutdown(Duration.ofSeconds(5));
    assertTrue(inFlight.await(10, TimeUnit.SECONDS).startsWith("HTTP_2 200"));
    stopped.await(10, TimeUnit.SECONDS);
    node = null;
    client.close();
  }
}
