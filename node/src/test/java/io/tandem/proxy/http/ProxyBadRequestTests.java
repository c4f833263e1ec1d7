package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.NoLeakedBuffers;
import io.tandem.testing.RawHttp;
import io.tandem.testing.Received;
import io.tandem.util.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests the proxy refuses: smuggling, bad framing, oversized parts, slow heads and stalled bodies. Run on one and
 * on several event loops.
 */
@ExtendWith(NoLeakedBuffers.class)
abstract class ProxyBadRequestTests extends ProxyTestBase {
  @Test
  void refusesSmugglingAttempts() throws Exception {
    FakeBackend b = backend("b1");
    startSimple(b);
    String[] attacks = {
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
    };
    for (String attack : attacks) {
      try (RawHttp c = new RawHttp(port())) {
        RawHttp.Response r = c.send(attack).read();
        assertEquals(400, r.status(), attack);
        assertTrue(c.closedByPeer(), "connection closed after refusing: " + attack.replace("\r\n", "|"));
      }
    }
    assertTrue(b.received().isEmpty(), "no attack reached the backend: " + b.received());
  }

  @Test
  void invalidChunkSizeIsRefused() throws Exception {
    FakeBackend b = backend("b1");
    b.always(Action.hang());
    startSimple(b);
    try (RawHttp c = new RawHttp(port())) {
      c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
      boolean refused;
      try {
        refused = c.read().status() == 400 || c.closedByPeer();
      } catch (java.io.IOException closed) {
        refused = true;
      }
      assertTrue(refused);
    }
    for (Received r : b.received()) {
      assertEquals(0, r.bodyLength(), "no part of an invalid chunked body is passed on");
    }
  }

  @Test
  void oversizedRequestsGetTheirStatus() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").limits(100, 1024, 1000), pool("app").backend("b1", b.port())));
    try (RawHttp c = new RawHttp(port())) {
      assertEquals(414, c.send("GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: h\r\n\r\n").read().status());
    }
    try (RawHttp c = new RawHttp(port())) {
      assertEquals(431, c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n").read()
          .status());
    }
    try (RawHttp c = new RawHttp(port())) {
      assertEquals(413, c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n").read().status());
    }
    try (RawHttp c = new RawHttp(port())) {
      String chunk = Integer.toHexString(800) + "\r\n" + "c".repeat(800) + "\r\n";
      c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk);
      assertEquals(413, c.read().status());
    }
    assertEquals(1, node.listener("web").count(Outcome.URI_TOO_LONG));
    assertEquals(1, node.listener("web").count(Outcome.HEADERS_TOO_LARGE));
    assertEquals(2, node.listener("web").count(Outcome.BODY_TOO_LARGE));
  }

  @Test
  void slowHeadGets408AndOthersAreServed() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").timeouts(Duration.ofMillis(1500), Duration.ofSeconds(5),
        Duration.ofSeconds(30)), pool("app").backend("b1", b.port())));
    try (RawHttp slow = new RawHttp(port())) {
      slow.send("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n");
      assertEquals(200, get("/").statusCode(), "a slow client does not starve others");
      RawHttp.Response r = slow.read();
      assertEquals(408, r.status());
      assertTrue(slow.closedByPeer());
    }
    assertEquals(1, node.listener("web").count(Outcome.CLIENT_TIMEOUT));
  }

  @Test
  void stalledBodyGets408() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").timeouts(Duration.ofSeconds(5), Duration.ofMillis(500),
        Duration.ofSeconds(30)), pool("app").backend("b1", b.port())));
    try (RawHttp c = new RawHttp(port())) {
      c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nonly-part");
      assertEquals(408, c.read().status());
    }
  }
}
