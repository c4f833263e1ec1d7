package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.AdminState;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import io.tandem.testing.NoLeakedBuffers;
import io.tandem.testing.RawHttp;
import io.tandem.util.Outcome;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Backends that fail, are slow, full or gone: retries, 502/503/504, queues and limits. Run on one and on several
 * event loops.
 */
@ExtendWith(NoLeakedBuffers.class)
abstract class ProxyFailureTests extends ProxyTestBase {
  @Test
  void retriesConnectFailureOnAnotherBackend() throws Exception {
    FakeBackend good = backend("good");
    int dead = FakeBackend.refusingPort();
    start(config(eventLoops(), listener("web"), pool("app").backend("dead", dead).backend("good", good.port())));
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = get("/");
      assertEquals(200, r.statusCode(), "connect failure is retried on another backend");
      assertEquals("good", r.headers().firstValue("x-backend").orElseThrow());
    }
  }

  @Test
  void allBackendsUnreachableGives502() throws Exception {
    start(config(eventLoops(), listener("web"), pool("app").backend("d1", FakeBackend.refusingPort())
        .backend("d2", FakeBackend.refusingPort())));
    HttpResponse<String> r = get("/");
    assertEquals(502, r.statusCode());
    assertTrue(r.body().contains("backend_connect_failed"), r.body());
    assertEquals(1, node.listener("web").count(Outcome.BACKEND_CONNECT_FAILED));
  }

  @Test
  void backendFaultsGive502() throws Exception {
    FakeBackend b = backend("b1");
    startSimple(b);
    for (Action fault : List.of(Action.reset(), Action.garbage(), Action.closeWithoutAnswer())) {
      b.always(fault);
      assertEquals(502, get("/").statusCode());
    }
    assertEquals(3, node.listener("web").count(Outcome.BACKEND_ERROR));
  }

  @Test
  void backendClosingMidBodyCutsTheClientConnection() throws Exception {
    FakeBackend b = backend("b1");
    b.always(Action.closeMidBody());
    startSimple(b);
    try (RawHttp c = new RawHttp(port())) {
      c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThrowsOrShort(c);
    }
  }

  private static void assertThrowsOrShort(RawHttp c) {
    try {
      RawHttp.Response r = c.read();
      String cl = r.header("content-length");
      assertTrue(cl != null && r.body().length < Integer.parseInt(cl), "response must be visibly truncated");
    } catch (java.io.IOException | RuntimeException expected) {
      // Truncated chunked stream or reset: the client can tell the answer is incomplete.
    }
  }

  @Test
  void slowBackendGives504() throws Exception {
    FakeBackend b = backend("b1");
    b.always(Action.hang());
    start(config(eventLoops(), listener("web"), pool("app").backend("b1", b.port())
        .timeouts(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(30))));
    HttpResponse<String> r = get("/");
    assertEquals(504, r.statusCode());
    assertEquals(1, node.listener("web").count(Outcome.BACKEND_TIMEOUT));
  }

  @Test
  void noEligibleBackendGives503WithRetryAfter() throws Exception {
    FakeBackend b = backend("b1");
    startSimple(b);
    long v = node.registry().snapshot().version();
    node.registry().adminState("app", "b1", AdminState.DISABLED);
    await().until(() -> node.registry().snapshot().version() > v);
    HttpResponse<String> r = get("/");
    assertEquals(503, r.statusCode());
    assertEquals("1", r.headers().firstValue("retry-after").orElseThrow());
    assertTrue(b.received().isEmpty());
  }

  /** Pool "app" over one backend with a single slot, whose /slow answer is held until {@code held} is moved on. */
  private FakeBackend oneSlotBackendHolding(ManualScheduler held, Duration queueTimeout) throws Exception {
    FakeBackend b = backend("b1");
    b.behavior(req -> req.uri().equals("/slow") ? Action.echo().delayedBy(Duration.ofSeconds(1), held) : Action.echo());
    start(config(eventLoops(), listener("web"), pool("app").backend("b1", b.port(), 1, 1).queue(1, queueTimeout)));
    return b;
  }

  @Test
  void aFullQueueRefusesTheNextRequest() throws Exception {
    ManualScheduler held = new ManualScheduler(new ManualClock());
    FakeBackend b = oneSlotBackendHolding(held, Duration.ofSeconds(30));
    CompletableFuture<HttpResponse<String>> slow = sendAsync("/slow");
    // Its answer waits on the manual scheduler: moving that on before the timer is set would lose the answer.
    await().until(() -> b.received().size() == 1 && held.pending() == 1);
    CompletableFuture<HttpResponse<String>> queued = sendAsync("/q");
    await().until(() -> node.registry().snapshot().pool("app").queue().size() == 1);
    HttpResponse<String> overflow = get("/overflow");
    assertEquals(503, overflow.statusCode(), "queue of 1 is full");
    assertTrue(overflow.body().contains("queue_full"));
    held.advance(Duration.ofSeconds(1));
    assertEquals(200, slow.get(30, TimeUnit.SECONDS).statusCode());
    assertEquals(200, queued.get(30, TimeUnit.SECONDS).statusCode(), "the freed slot goes to the waiting request");
    // The client has a Content-Length answer once its last byte is written, a moment before the backend's end
    // event releases the slot on the event loop.
    await().until(() -> node.registry().snapshot().pool("app").backends().get(0).stats().active() == 0);
  }

  @Test
  void aQueuedRequestTimesOut() throws Exception {
    ManualScheduler held = new ManualScheduler(new ManualClock());
    FakeBackend b = oneSlotBackendHolding(held, Duration.ofMillis(300));
    CompletableFuture<HttpResponse<String>> slow = sendAsync("/slow");
    // Its answer waits on the manual scheduler: moving that on before the timer is set would lose the answer.
    await().until(() -> b.received().size() == 1 && held.pending() == 1);
    HttpResponse<String> timedOut = get("/q");
    assertEquals(503, timedOut.statusCode());
    assertTrue(timedOut.body().contains("queue_timeout"));
    held.advance(Duration.ofSeconds(1));
    assertEquals(200, slow.get(30, TimeUnit.SECONDS).statusCode());
  }

  @Test
  void idempotentRequestsAreRetriedWhenConfigured() throws Exception {
    FakeBackend flaky = backend("flaky");
    flaky.always(Action.closeWithoutAnswer());
    FakeBackend good = backend("good");
    start(config(eventLoops(), listener("web"), pool("app").backend("flaky", flaky.port())
        .backend("good", good.port()).retries(2, true)));
    for (int i = 0; i < 4; i++) {
      assertEquals(200, get("/").statusCode());
    }
    try (RawHttp c = new RawHttp(port())) {
      // POST is never replayed: it fails on the flaky backend or succeeds on the good one.
      Set<Integer> statuses = new HashSet<>();
      for (int i = 0; i < 2; i++) {
        statuses.add(c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx").read().status());
      }
      assertTrue(statuses.contains(502), statuses.toString());
    }
  }

  @Test
  void listenerConnectionLimit() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").maxConnections(2), pool("app").backend("b1", b.port())));
    try (RawHttp c1 = new RawHttp(port()); RawHttp c2 = new RawHttp(port())) {
      assertEquals(200, c1.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status());
      assertEquals(200, c2.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status());
      try (RawHttp c3 = new RawHttp(port())) {
        assertTrue(c3.closedByPeer(), "third connection is closed at once");
      }
    }
    assertEquals(1, node.listener("web").count(Outcome.LISTENER_FULL));
  }
}
