package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.BackendProtocol;
import io.tandem.config.PoolConfig;
import io.tandem.testing.NoLeakedBuffers;
import io.tandem.testing.RawH2Backend;
import io.tandem.testing.RawHttp;
import io.tandem.util.Outcome;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP/2 backend connections' own behaviour, against a Netty h2c backend that misbehaves on demand: PING
 * keep-alive finds a peer that stopped answering, GOAWAY moves new requests to a new connection while the old one
 * closes, idle connections close, and one connection carries many requests.
 */
@ExtendWith(NoLeakedBuffers.class)
class H2BackendConnectionsTest extends ProxyTestBase {
  private RawH2Backend raw;

  @Override
  protected int eventLoops() {
    return 1;
  }

  @AfterEach
  void stopRaw() {
    if (raw != null) {
      raw.close();
    }
  }

  private void startWith(PoolConfig.Http2 http2, Duration idle) throws Exception {
    start(config(1, listener("web"), pool("app").protocol(BackendProtocol.H2C).http2(http2)
        .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), idle).backend("raw", raw.port())));
  }

  @Test
  void aPeerThatAnswersNoPingIsClosedAndItsStreamsFailLongBeforeTheirTimeOut() throws Exception {
    raw = new RawH2Backend(false, 0);
    startWith(new PoolConfig.Http2(1, Duration.ofMillis(200), Duration.ofMillis(300)), Duration.ofSeconds(60));
    // Held by the backend; only the dead PING can end it before the 30 s response time-out.
    CompletableFuture<HttpResponse<String>> hung = http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/hang")).build(),
        HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(hung::isDone);
    assertEquals(502, hung.join().statusCode());
    assertTrue(raw.pingsSeen() >= 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> node.listener("web").count(Outcome.BACKEND_ERROR) == 1);
    assertEquals(0, node.listener("web").count(Outcome.BACKEND_TIMEOUT), "not the response time-out");
    await().atMost(Duration.ofSeconds(5)).until(() -> raw.closed() == 1);
    assertEquals(200, get("/next").statusCode(), "a new connection carries the next request");
    assertEquals(2, raw.accepted());
  }

  @Test
  void anIdleConnectionIsNotPinged() throws Exception {
    raw = new RawH2Backend(false, 0);
    startWith(new PoolConfig.Http2(1, Duration.ofMillis(100), Duration.ofMillis(100)), Duration.ofSeconds(60));
    assertEquals(200, get("/one").statusCode());
    // Without streams open nothing is at stake: no PING (servers count idle PINGs as abuse), the connection stays.
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> raw.pingsSeen() == 0);
    assertEquals(200, get("/two").statusCode());
    assertEquals(1, raw.accepted());
  }

  @Test
  void goAwayDrainsTheConnectionAndTheNextRequestsTakeANewOne() throws Exception {
    raw = new RawH2Backend(true, 0);
    startWith(PoolConfig.Http2.DEFAULTS, Duration.ofSeconds(60));
    CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
      try {
        return get("/hang");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> raw.accepted() == 1);
    assertEquals(200, get("/before").statusCode());
    raw.goAway();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      assertEquals(200, get("/after").statusCode());
      return raw.accepted() == 2;
    });
    assertEquals(0, raw.closed(), "the drained connection still has its held stream");
    assertTrue(!held.isDone());
  }

  @Test
  void anIdleConnectionClosesAfterThePoolsIdleTimeOut() throws Exception {
    raw = new RawH2Backend(true, 0);
    startWith(PoolConfig.Http2.DEFAULTS, Duration.ofMillis(300));
    assertEquals(200, get("/x").statusCode());
    await().atMost(Duration.ofSeconds(5)).until(() -> raw.closed() == 1);
  }

  @Test
  void oneConnectionCarriesManyKeepAliveRequests() throws Exception {
    raw = new RawH2Backend(true, 0);
    startWith(PoolConfig.Http2.DEFAULTS, Duration.ofSeconds(60));
    try (RawHttp c = new RawHttp(port())) {
      for (int i = 0; i < 50; i++) {
        c.send("GET /k" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals("ok", c.read().bodyText());
      }
    }
    assertEquals(1, raw.accepted());
  }
}
