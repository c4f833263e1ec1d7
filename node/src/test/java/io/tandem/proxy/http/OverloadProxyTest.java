package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.RateLimitConfig;
import io.tandem.limits.LimitsStatus;
import io.tandem.util.Outcome;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.RawHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rate limits, per-client connection limits and request-head limits through a real node. */
class OverloadProxyTest extends ProxyTestBase {

  @Override
  protected int eventLoops() {
    return 2;
  }

  static RateLimitConfig perMinute(String name, String prefix, RateLimitConfig.Key key, String keyName, int burst) {
    return new RateLimitConfig(name, prefix, null, null, key, keyName, 1, Duration.ofMinutes(1), burst, 1000);
  }

  @Test
  void rateLimitedRequestsGet429WithRetryAfterAndRateLimitHeaders() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").rateLimit(perMinute("limited", "/limited", RateLimitConfig.Key.SOURCE,
        null, 3)), pool("app").backend(b.name(), b.port())));
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/limited/x").statusCode());
    }
    HttpResponse<String> refused = get("/limited/x");
    assertEquals(429, refused.statusCode());
    assertEquals("429 Too Many Requests (rate_limited)\n", refused.body());
    long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
    assertTrue(retryAfter > 50 && retryAfter <= 60, "a token every 60 s: " + retryAfter);
    assertEquals("1", refused.headers().firstValue("ratelimit-limit").orElseThrow());
    assertEquals("0", refused.headers().firstValue("ratelimit-remaining").orElseThrow());
    assertEquals(String.valueOf(retryAfter), refused.headers().firstValue("ratelimit-reset").orElseThrow());
    assertEquals("1;w=60;burst=3", refused.headers().firstValue("ratelimit-policy").orElseThrow());
    assertEquals(200, get("/other").statusCode(), "paths the rule does not match are not limited");
    assertEquals(3, b.received().stream().filter(r -> r.uri().startsWith("/limited")).count());
    List<LimitsStatus.Rule> status = node.rateLimits().status();
    assertEquals(List.of(new LimitsStatus.Rule("web", "limited", 1, Duration.ofMinutes(1), 3, 1, 1000, 3, 1, 0)),
        status);
    assertEquals(1, node.listener("web").count(Outcome.RATE_LIMITED));
  }

  @Test
  void headerKeysHaveTheirOwnBuckets() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").rateLimit(perMinute("api", null, RateLimitConfig.Key.HEADER,
        "X-Api-Key", 1)), pool("app").backend(b.name(), b.port())));
    assertEquals(200, get("/", "X-Api-Key", "alice").statusCode());
    assertEquals(429, get("/", "X-Api-Key", "alice").statusCode());
    assertEquals(200, get("/", "X-Api-Key", "bob").statusCode());
    assertEquals(200, get("/").statusCode(), "no key: the shared keyless bucket");
    assertEquals(429, get("/").statusCode());
  }

  @Test
  void tooManyHeaderFieldsGive431() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").maxHeaderCount(5), pool("app").backend(b.name(), b.port())));
    try (RawHttp c = new RawHttp(port())) {
      c.send("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nA: 2\r\nA: 3\r\nA: 4\r\nA: 5\r\n\r\n");
      RawHttp.Response r = c.read();
      assertEquals(431, r.status());
      assertEquals("431 Request Header Fields Too Large (too_many_headers)\n", r.bodyText());
    }
    try (RawHttp c = new RawHttp(port())) {
      c.send("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nA: 2\r\nA: 3\r\nA: 4\r\n\r\n");
      assertEquals(200, c.read().status(), "five fields are allowed");
    }
    assertEquals(1, node.listener("web").count(Outcome.TOO_MANY_HEADERS));
  }

  @Test
  void connectionsPerClientAreCapped() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").maxConnectionsPerClient(2), pool("app").backend(b.name(), b.port())));
    try (RawHttp c1 = new RawHttp(port()); RawHttp c2 = new RawHttp(port())) {
      for (RawHttp c : List.of(c1, c2)) {
        c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, c.read().status());
      }
      try (RawHttp c3 = new RawHttp(port())) {
        assertTrue(c3.closedByPeer(), "a third connection from the same address is closed at once");
      }
      assertEquals(1, node.listener("web").count(Outcome.CLIENT_CONNECTIONS));
      assertEquals(2, node.clientConnections().open("web", "127.0.0.1"));
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> node.clientConnections().open("web", "127.0.0.1") == 0);
    try (RawHttp c = new RawHttp(port())) {
      c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, c.read().status(), "closed connections free their places");
    }
  }

  @Test
  void aPoolWhoseBackendsAllFailAnswers503AtOnceAndStopsTryingThem() throws Exception {
    io.tandem.config.PoolConfig p = pool("app").backend("d1", FakeBackend.refusingPort())
        .backend("d2", FakeBackend.refusingPort()).retries(3, false).build();
    io.tandem.config.PoolConfig guarded = new io.tandem.config.PoolConfig(p.name(), p.algorithm(), p.hashKey(),
        p.backends(), p.health(), p.queue(), p.persistence(), p.retries(), p.timeouts(), p.connectionPoolSize(), null,
        new io.tandem.config.PoolConfig.CircuitBreaker(5, Duration.ofMinutes(1)), new io.tandem.config.PoolConfig
        .RetryBudget(20, 3));
    io.tandem.config.TandemConfig base = config(eventLoops(), listener("web"), pool("app").backend("x", 1));
    start(new io.tandem.config.TandemConfig(null, base.node(), base.listeners(), List.of(guarded), base.accessLog()));
    int requests = Boolean.getBoolean("measure") ? 2000 : 50;
    List<Long> openNanos = new java.util.ArrayList<>();
    for (int i = 0; i < requests; i++) {
      long t = System.nanoTime();
      HttpResponse<String> r = get("/");
      if (i >= 5) {
        assertEquals(503, r.statusCode());
        assertEquals("503 Service Unavailable (circuit_open)\n", r.body());
        assertEquals("1", r.headers().firstValue("retry-after").orElseThrow());
        openNanos.add(System.nanoTime() - t);
      } else {
        assertEquals(502, r.statusCode());
      }
    }
    long attempts = node.registry().snapshot().pool("app").backends().stream()
        .mapToLong(b -> b.stats().count(Outcome.BACKEND_CONNECT_FAILED)).sum();
    assertTrue(attempts <= 5 * 3, "backend connection attempts: " + attempts);
    assertEquals(requests - 5, node.listener("web").count(Outcome.CIRCUIT_OPEN));
    assertEquals(requests - 5, node.poolGuards().get("app").breakerRefusals());
    if (Boolean.getBoolean("measure")) {
      java.util.Collections.sort(openNanos);
      System.out.printf("MEASURE pool with every backend refusing: %d requests, backend connection attempts %d; "
          + "circuit_open 503s client-side latency p50 %.2f ms, p99 %.2f ms%n", requests, attempts,
          openNanos.get(openNanos.size() / 2) / 1e6, openNanos.get(openNanos.size() * 99 / 100) / 1e6);
    }
  }

  @Test
  void aSmallBodyIsReadWholeBeforeABackendIsUsed() throws Exception {
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").timeouts(Duration.ofSeconds(10), Duration.ofMillis(500),
        Duration.ofSeconds(60)), pool("app").backend(b.name(), b.port())));
    try (RawHttp c = new RawHttp(port())) {
      c.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
      RawHttp.Response r = c.read();
      assertEquals(408, r.status());
      assertEquals("408 Request Timeout (client_timeout)\n", r.bodyText());
    }
    assertEquals(0, b.connectionCount(), "the trickling client never held a backend connection");
    try (RawHttp c = new RawHttp(port())) {
      c.send("POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n1234567890");
      assertEquals(200, c.read().status());
    }
    assertEquals("1234567890", new String(b.awaitRequests(1).get(0).body(), java.nio.charset.StandardCharsets.UTF_8));
  }
}
