package io.tandem.proxy.tcp;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.pool;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.RawBackend;
import io.tandem.util.Outcome;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The TCP proxy when backends fail or limits are reached: retries, the breaker, idle time-out, connection and rate
 * limits, the backend queue.
 */
abstract class TcpLimitTests extends TcpProxyTestBase {
  @Test
  void aRefusedBackendIsRetriedOnAnother() throws Exception {
    RawBackend echo = backend(RawBackend.banner("alive"));
    int dead = RawBackend.closedPort();
    start(config(eventLoops(), tcp(), pool("app").backend("dead", dead).backend("alive", echo.port())));
    for (int i = 0; i < 4; i++) {
      Socket c = connect();
      assertEquals("alive\n", text(RawBackend.readAll(c.getInputStream())));
      c.close();
    }
    assertTrue(node.registry().snapshot().pool("app").byId().get("dead").stats()
        .count(Outcome.BACKEND_CONNECT_FAILED) >= 1);
  }

  @Test
  void whenEveryBackendIsDownTheClientIsClosedAtOnce() throws Exception {
    start(config(eventLoops(), tcp(), pool("app").backend("d1", RawBackend.closedPort())
        .backend("d2", RawBackend.closedPort())));
    Socket c = connect();
    assertEquals(0, RawBackend.readAll(c.getInputStream()).length);
    await().until(() -> runtime().count(Outcome.BACKEND_CONNECT_FAILED) == 1);
  }

  @Test
  void aPoolWhoseBackendsAllRefuseOpensItsBreakerAndClosesFurtherConnectionsAtOnce() throws Exception {
    io.tandem.config.PoolConfig p = pool("app").backend("d1", RawBackend.closedPort())
        .backend("d2", RawBackend.closedPort()).retries(3, false).build();
    io.tandem.config.PoolConfig guarded = new io.tandem.config.PoolConfig(p.name(), p.algorithm(), p.hashKey(),
        p.backends(), p.health(), p.queue(), p.persistence(), p.retries(), p.timeouts(), p.connectionPoolSize(),
        p.proxyProtocol(), p.tls(), null, new io.tandem.config.PoolConfig.CircuitBreaker(5, Duration.ofMinutes(1)),
        new io.tandem.config.PoolConfig.RetryBudget(20, 3));
    io.tandem.config.TandemConfig base = config(eventLoops(), tcp(), pool("app").backend("x", 1));
    start(new io.tandem.config.TandemConfig(null, base.node(), base.listeners(), List.of(guarded), base.accessLog()));
    int connections = 20;
    for (int i = 0; i < connections; i++) {
      Socket c = connect();
      assertEquals(0, RawBackend.readAll(c.getInputStream()).length, "connection " + i + " is closed");
      c.close();
    }
    long attempts = node.registry().snapshot().pool("app").backends().stream()
        .mapToLong(b -> b.stats().count(Outcome.BACKEND_CONNECT_FAILED)).sum();
    assertTrue(attempts <= 5 * 3, "backend connection attempts: " + attempts);
    await().until(() -> runtime().count(Outcome.CIRCUIT_OPEN) == connections - 5);
    assertEquals(5, runtime().count(Outcome.BACKEND_CONNECT_FAILED));
    assertEquals(connections - 5, node.poolGuards().get("app").breakerRefusals());
  }

  @Test
  void anIdleConnectionIsClosed() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    start(config(eventLoops(), tcp().timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMillis(300)),
        pool("app").backend("b1", echo.port())));
    Socket c = connect();
    c.getOutputStream().write("x".getBytes(UTF_8));
    assertEquals('x', c.getInputStream().read());
    assertEquals(-1, c.getInputStream().read());
    await().until(() -> runtime().count(Outcome.IDLE_TIMEOUT) == 1);
  }

  @Test
  void aClientOverItsConnectionLimitIsClosedAtOnceAndAdmittedAgainWhenOneCloses() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    start(config(eventLoops(), tcp().maxConnectionsPerClient(2), pool("app").backend("b1", echo.port())));
    Socket first = connect();
    Socket second = connect();
    for (Socket c : List.of(first, second)) {
      c.getOutputStream().write("1".getBytes(UTF_8));
      assertEquals('1', c.getInputStream().read());
    }
    Socket third = connect();
    assertEquals(0, RawBackend.readAll(third.getInputStream()).length);
    assertEquals(1, runtime().count(Outcome.CLIENT_CONNECTIONS));
    assertEquals(2, node.clientConnections().open("tcp", "127.0.0.1"));
    first.close();
    await().until(() -> node.clientConnections().open("tcp", "127.0.0.1") == 1);
    Socket fourth = connect();
    fourth.getOutputStream().write("4".getBytes(UTF_8));
    assertEquals('4', fourth.getInputStream().read());
  }

  @Test
  void aRateLimitClosesNewConnectionsOverItsRate() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    start(config(eventLoops(), tcp().rateLimit(new io.tandem.config.RateLimitConfig("per-client", null, null, null,
        io.tandem.config.RateLimitConfig.Key.SOURCE, null, 2, Duration.ofMinutes(1), 2, 1000)),
        pool("app").backend("b1", echo.port())));
    for (int i = 0; i < 2; i++) {
      Socket c = connect();
      c.getOutputStream().write("x".getBytes(UTF_8));
      assertEquals('x', c.getInputStream().read(), "connection " + i + " within the burst");
      c.close();
    }
    Socket third = connect();
    assertEquals(0, RawBackend.readAll(third.getInputStream()).length);
    assertEquals(1, runtime().count(Outcome.RATE_LIMITED));
    assertEquals(1, node.rateLimits().rule("tcp", "per-client").refused());
  }

  @Test
  void theListenerLimitClosesFurtherConnections() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    start(config(eventLoops(), tcp().maxConnections(1), pool("app").backend("b1", echo.port())));
    Socket first = connect();
    first.getOutputStream().write("1".getBytes(UTF_8));
    assertEquals('1', first.getInputStream().read());
    Socket second = connect();
    assertEquals(0, RawBackend.readAll(second.getInputStream()).length);
    assertEquals(1, runtime().count(Outcome.LISTENER_FULL));
    await().until(() -> runtime().openConnections() == 1);
  }

  @Test
  void theBackendLimitQueuesAndHandsTheSlotOver() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    start(config(eventLoops(), tcp(), pool("app").backend("b1", echo.port(), 1, 1).queue(1, Duration.ofSeconds(20))));
    Socket first = connect();
    first.getOutputStream().write("1".getBytes(UTF_8));
    assertEquals('1', first.getInputStream().read());
    Socket second = connect();
    second.getOutputStream().write("2".getBytes(UTF_8));
    Socket third = connect();   // queue of one is full
    assertEquals(0, RawBackend.readAll(third.getInputStream()).length);
    assertEquals(1, runtime().count(Outcome.QUEUE_FULL));
    assertEquals(1, echo.accepted.get());
    first.shutdownOutput();
    RawBackend.readAll(first.getInputStream());
    assertEquals('2', second.getInputStream().read());   // the freed slot went to the waiting connection
    assertEquals(2, echo.accepted.get());
  }
}
