package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import io.tandem.testing.NoLeakedBuffers;
import io.tandem.testing.RawHttp;
import io.tandem.testing.Received;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Forwarding through the L7 proxy: headers, bodies, upgrades, reloads and stops. Run on one and on several event
 * loops.
 */
@ExtendWith(NoLeakedBuffers.class)
abstract class ProxyForwardingTests extends ProxyTestBase {
  @Test
  void forwardsWithForwardingHeadersAndKeepsHost() throws Exception {
    FakeBackend b = backend("b1");
    startSimple(b);
    try (RawHttp c = new RawHttp(port())) {
      c.send("GET /a?x=1 HTTP/1.1\r\nHost: shop.example.com\r\nConnection: keep-alive, X-Secret\r\n"
          + "X-Secret: hop\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n"
          + "X-Forwarded-For: 10.9.9.9\r\nX-Request-Id: client-chosen\r\n\r\n");
      RawHttp.Response r = c.read();
      assertEquals(200, r.status());
      assertNotNull(r.header("x-backend"));
    }
    Received got = b.awaitRequests(1).get(0);
    assertEquals("/a?x=1", got.uri());
    assertEquals("shop.example.com", got.header("host"));
    assertEquals("10.9.9.9, 127.0.0.1", got.header("x-forwarded-for"));
    assertEquals("http", got.header("x-forwarded-proto"));
    assertEquals("shop.example.com", got.header("x-forwarded-host"));
    assertEquals("for=127.0.0.1;host=shop.example.com;proto=http", got.header("forwarded"));
    assertNotNull(got.header("x-request-id"));
    assertFalse(got.header("x-request-id").equals("client-chosen"), "untrusted request id is replaced");
    for (String hop : List.of("x-secret", "keep-alive", "proxy-connection", "te")) {
      assertNull(got.header(hop), hop + " must not be forwarded");
    }
  }

  @Test
  void headerNamesWithUnderscoresNeverReachTheBackendUnlessAllowed() throws Exception {
    FakeBackend b = backend("b1");
    startSimple(b);
    String head = "GET /u HTTP/1.1\r\nHost: h\r\nTransfer_Encoding: chunked\r\nContent_Length: 5\r\n"
        + "X_Custom: 1\r\nX-Ok: 2\r\n\r\n";
    try (RawHttp c = new RawHttp(port())) {
      assertEquals(200, c.send(head).read().status());
    }
    Received got = b.awaitRequests(1).get(0);
    for (String name : List.of("transfer_encoding", "content_length", "x_custom")) {
      assertNull(got.header(name), name + " must not be forwarded by default");
    }
    assertEquals("2", got.header("x-ok"));

    node.shutdown(Duration.ofMillis(200)).await(10, java.util.concurrent.TimeUnit.SECONDS);
    start(config(eventLoops(), listener("web").underscoresInHeaders(true), pool("app").backend("b1", b.port())));
    try (RawHttp c = new RawHttp(port())) {
      assertEquals(200, c.send(head).read().status());
    }
    assertEquals("1", b.awaitRequests(2).get(1).header("x_custom"), "forwarded when the listener allows it");
  }

  @Test
  void removesHopByHopHeadersFromResponses() throws Exception {
    FakeBackend b = backend("b1");
    b.always(Action.respond(200, Map.of("Connection", "X-Internal", "X-Internal", "1", "Keep-Alive", "timeout=9",
        "X-Public", "2"), "ok"));
    startSimple(b);
    try (RawHttp c = new RawHttp(port())) {
      RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
      assertEquals("ok", r.bodyText());
      assertNull(r.header("x-internal"));
      assertNull(r.header("keep-alive"));
      assertEquals("2", r.header("x-public"));
    }
  }

  @Test
  void roundRobinSpreadsAndReusesBackendConnections() throws Exception {
    FakeBackend b1 = backend("b1");
    FakeBackend b2 = backend("b2");
    startSimple(b1, b2);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get("/");
      assertEquals(200, r.statusCode());
      seen.merge(r.headers().firstValue("x-backend").orElseThrow(), 1, Integer::sum);
    }
    assertEquals(Map.of("b1", 10, "b2", 10), seen);
    assertTrue(b1.connectionCount() < 10, "keep-alive to backends: " + b1.connectionCount() + " connections");
  }

  @Test
  void streamsLargeBodiesBothWays() throws Exception {
    FakeBackend b = backend("b1");
    startSimple(b);
    byte[] upload = new byte[3 * 1024 * 1024];
    for (int i = 0; i < upload.length; i++) {
      upload[i] = (byte) (i * 31);
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/up"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertArrayEquals(upload, b.awaitRequests(1).get(0).body());

    b.always(Action.largeBody(10L * 1024 * 1024));
    HttpResponse<byte[]> big = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/big"))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(10 * 1024 * 1024, big.body().length);
    for (int i = 0; i < big.body().length; i += 4099) {
      assertEquals(Action.largeBodyByte(i), big.body()[i]);
    }
  }

  @Test
  void chunkedRequestAndResponse() throws Exception {
    FakeBackend b = backend("b1");
    b.always(Action.chunked(201, "hello chunked world", 3));
    startSimple(b);
    try (RawHttp c = new RawHttp(port())) {
      c.send("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
      RawHttp.Response r = c.read();
      assertEquals(201, r.status());
      assertEquals("chunked", r.header("transfer-encoding"));
      assertEquals("hello chunked world", r.bodyText());
    }
    Received got = b.awaitRequests(1).get(0);
    assertEquals("hello world", got.bodyAsString());
    assertEquals("chunked", got.header("transfer-encoding"));
    assertNull(got.header("content-length"));
  }

  @Test
  void expectContinueIsRelayed() throws Exception {
    FakeBackend b = backend("b1");
    startSimple(b);
    try (RawHttp c = new RawHttp(port())) {
      c.send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      assertEquals(100, c.read().status());
      c.send("hello");
      RawHttp.Response r = c.read();
      assertEquals(200, r.status());
    }
    assertEquals("hello", b.awaitRequests(1).get(0).bodyAsString());
  }

  @Test
  void webSocketUpgradeIsTunnelled() throws Exception {
    FakeBackend b = backend("b1");
    b.always(Action.upgradeEcho());
    startSimple(b);
    try (RawHttp c = new RawHttp(port())) {
      c.send("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      RawHttp.Response r = c.read();
      assertEquals(101, r.status());
      assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", r.header("sec-websocket-accept"));
      c.send("ping-through-tunnel");
      assertEquals("ping-through-tunnel", new String(c.readExactly(19), StandardCharsets.US_ASCII));
    }
    Received got = b.awaitRequests(1).get(0);
    assertEquals("websocket", got.header("upgrade"));
  }

  @Test
  void reloadKeepsInFlightRequestsAndAppliesRoutes() throws Exception {
    FakeBackend b1 = backend("b1");
    FakeBackend b2 = backend("b2");
    ManualScheduler held = new ManualScheduler(new ManualClock());
    b1.behavior(req -> req.uri().equals("/slow") ? Action.echo().delayedBy(Duration.ofSeconds(1), held) : Action.echo());
    start(config(eventLoops(), listener("web"), pool("app").backend("b1", b1.port())));
    CompletableFuture<HttpResponse<String>> inFlight = sendAsync("/slow");
    // Its answer waits on the manual scheduler: moving that on before the timer is set would lose the answer.
    await().until(() -> b1.received().size() == 1 && held.pending() == 1);
    node.reload(config(eventLoops(), listener("web").defaultPool("other"), pool("app").backend("b1", b1.port()),
        pool("other").backend("b2", b2.port()))).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals("b2", get("/").headers().firstValue("x-backend").orElseThrow());
    assertFalse(inFlight.isDone(), "the request is still in flight after the reload");
    held.advance(Duration.ofSeconds(1));
    assertEquals(200, inFlight.get(10, TimeUnit.SECONDS).statusCode(), "in-flight request survives the reload");
  }

  @Test
  void gracefulShutdownFinishesInFlightRequests() throws Exception {
    FakeBackend b = backend("b1");
    ManualScheduler held = new ManualScheduler(new ManualClock());
    b.always(Action.echo().delayedBy(Duration.ofSeconds(1), held));
    startSimple(b);
    int port = port();
    CompletableFuture<HttpResponse<String>> inFlight = sendAsync("/");
    await().until(() -> b.received().size() == 1 && held.pending() == 1);
    var stopped = node.shutdown(Duration.ofSeconds(30));
    // Draining has begun once the listener takes no new connection; only then is the answer let go.
    await().until(() -> refusesConnections(port));
    assertFalse(inFlight.isDone(), "the request is still in flight while the node drains");
    held.advance(Duration.ofSeconds(1));
    assertEquals(200, inFlight.get(10, TimeUnit.SECONDS).statusCode());
    stopped.await(10, TimeUnit.SECONDS);
    node = null;
  }

  private static boolean refusesConnections(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return false;
    } catch (IOException refused) {
      return true;
    }
  }
}
