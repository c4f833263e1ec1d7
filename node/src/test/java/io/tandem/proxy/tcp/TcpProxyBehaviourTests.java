package io.tandem.proxy.tcp;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.Algorithm;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.ProxyProtocolVersion;
import io.tandem.testing.LogCapture;
import java.util.Arrays;
import java.util.List;
import io.tandem.util.Outcome;
import io.tandem.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The TCP proxy end to end: real sockets, real node, raw backends. Run with one and with several event loops. */
abstract class TcpProxyBehaviourTests extends TcpProxyTestBase {

  private TestConfigs.ListenerBuilder tcp() {
    return listener("tcp").tcp();
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void echoesBytesAndEndsOkWhenBothSidesFinish() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    start(config(eventLoops(), tcp(), pool("app").backend("b1", echo.port())));
    Socket c = connect();
    c.getOutputStream().write("hello\n".getBytes(UTF_8));
    c.shutdownOutput();
    assertEquals("hello\n", text(RawBackend.readAll(c.getInputStream())));
    await().until(() -> runtime().count(Outcome.OK) == 1);
    assertEquals(6, runtime().bytesIn());
    assertEquals(6, runtime().bytesOut());
  }

  @Test
  void carriesAProtocolWhereTheServerSpeaksFirst() throws Exception {
    RawBackend smtp = backend(RawBackend.start("smtp", s -> {
      OutputStream out = s.getOutputStream();
      out.write("220 ready\r\n".getBytes(UTF_8));
      byte[] line = new byte[6];
      int n = s.getInputStream().readNBytes(line, 0, 6);
      out.write(("221 got " + new String(line, 0, n, UTF_8) + "\r\n").getBytes(UTF_8));
      s.shutdownOutput();
      RawBackend.readAll(s.getInputStream());
    }));
    start(config(eventLoops(), tcp(), pool("app").backend("smtp", smtp.port())));
    Socket c = connect();
    byte[] banner = c.getInputStream().readNBytes(11);
    assertEquals("220 ready\r\n", text(banner));
    c.getOutputStream().write("QUIT\r\n".getBytes(UTF_8));
    assertEquals("221 got QUIT\r\n\r\n", text(RawBackend.readAll(c.getInputStream())));
  }

  @Test
  void clientHalfCloseReachesTheBackendAndTheAnswerStillFlows() throws Exception {
    RawBackend counter = backend(RawBackend.start("count", s -> {
      byte[] all = RawBackend.readAll(s.getInputStream());   // returns only on the client's FIN
      s.getOutputStream().write(("got " + all.length).getBytes(UTF_8));
    }));
    start(config(eventLoops(), tcp(), pool("app").backend("count", counter.port())));
    Socket c = connect();
    c.getOutputStream().write(new byte[300_000]);
    c.shutdownOutput();
    assertEquals("got 300000", text(RawBackend.readAll(c.getInputStream())));
  }

  @Test
  void backendHalfCloseReachesTheClientAndTheClientCanStillSend() throws Exception {
    StringBuilder received = new StringBuilder();
    RawBackend banner = backend(RawBackend.start("b", s -> {
      s.getOutputStream().write("bye early".getBytes(UTF_8));
      s.shutdownOutput();
      byte[] rest = RawBackend.readAll(s.getInputStream());
      synchronized (received) {
        received.append(text(rest));
      }
    }));
    start(config(eventLoops(), tcp(), pool("app").backend("b", banner.port())));
    Socket c = connect();
    assertEquals("bye early", text(RawBackend.readAll(c.getInputStream())));   // EOF seen by the client
    c.getOutputStream().write("still talking".getBytes(UTF_8));
    c.shutdownOutput();
    await().until(() -> {
      synchronized (received) {
        return received.toString().equals("still talking");
      }
    });
    await().until(() -> runtime().count(Outcome.OK) == 1);
  }

  @Test
  void aSlowReaderHoldsTheBackendBackInsteadOfFillingTheProxy() throws Exception {
    long offered = 128L << 20;
    AtomicLong written = new AtomicLong();
    RawBackend fire = backend(RawBackend.start("fire", s -> {
      byte[] chunk = new byte[65536];
      OutputStream out = s.getOutputStream();
      for (long sent = 0; sent < offered; sent += chunk.length) {
        out.write(chunk);
        written.addAndGet(chunk.length);
      }
      s.shutdownOutput();
      RawBackend.readAll(s.getInputStream());
    }));
    start(config(eventLoops(), tcp(), pool("app").backend("fire", fire.port())));
    Socket c = new Socket();
    c.setReceiveBufferSize(65536);
    clients.add(c);
    c.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), node.port("tcp")));
    c.setSoTimeout(30_000);
    long[] last = {-1};
    await().pollInterval(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30)).until(() -> {
      long now = written.get();
      boolean stalled = now > 0 && now == last[0];
      last[0] = now;
      return stalled;
    });
    // Kernel buffers on loopback can hold tens of MiB; without back-pressure the proxy would take all 128 MiB.
    assertTrue(written.get() < offered / 2, "backend wrote " + written.get() + " bytes to a client reading none");
    InputStream in = c.getInputStream();
    byte[] buf = new byte[1 << 16];
    long read = 0;
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      read += n;
    }
    assertEquals(offered, read);
  }

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

  @Test
  void sourceAffinityKeepsAClientOnItsBackendThroughTheSharedTable() throws Exception {
    TestConfigs.PoolBuilder app = pool("app").persistence(
        new PersistenceConfig(PersistenceConfig.Type.SOURCE_ADDRESS, null, Duration.ofMinutes(5)));
    for (String id : new String[] {"b1", "b2", "b3"}) {
      app.backend(id, backend(RawBackend.banner(id)).port());
    }
    start(config(eventLoops(), tcp(), app));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      Socket c = connect();
      seen.add(text(RawBackend.readAll(c.getInputStream())).trim());
      c.close();
    }
    assertEquals(1, seen.size(), "one client address, one backend: " + seen);
    await().until(() -> seen.contains(node.affinity().lookup("app", "127.0.0.1")));
  }

  @Test
  void sourceHashPicksOneBackendPerClientAddress() throws Exception {
    TestConfigs.PoolBuilder app = pool("app").algorithm(Algorithm.SOURCE_HASH);
    for (String id : new String[] {"b1", "b2", "b3"}) {
      app.backend(id, backend(RawBackend.banner(id)).port());
    }
    start(config(eventLoops(), tcp(), app));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      Socket c = connect();
      seen.add(text(RawBackend.readAll(c.getInputStream())));
      c.close();
    }
    assertEquals(1, seen.size());
  }

  @Test
  void keepsRunningConnectionsWhileTheNodeDrains() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    start(config(eventLoops(), tcp(), pool("app").backend("b1", echo.port())));
    Socket c = connect();
    c.getOutputStream().write("a".getBytes(UTF_8));
    assertEquals('a', c.getInputStream().read());
    var stopped = node.shutdown(Duration.ofSeconds(20));
    c.getOutputStream().write("b".getBytes(UTF_8));
    assertEquals('b', c.getInputStream().read());
    assertTrue(!stopped.isComplete());
    c.shutdownOutput();
    assertEquals(-1, c.getInputStream().read());
    stopped.await(10, java.util.concurrent.TimeUnit.SECONDS);
    node = null;
  }

  /** A backend that answers with what it received before the client's FIN. */
  private RawBackend recorder() throws IOException {
    return backend(RawBackend.start("rec", s -> s.getOutputStream().write(RawBackend.readAll(s.getInputStream()))));
  }

  private byte[] exchange(byte[] request) throws IOException {
    Socket c = connect();
    c.getOutputStream().write(request);
    c.shutdownOutput();
    return RawBackend.readAll(c.getInputStream());
  }

  @Test
  void sendsProxyProtocolV1AndV2ToTheBackend() throws Exception {
    for (ProxyProtocolVersion v : new ProxyProtocolVersion[] {ProxyProtocolVersion.V1, ProxyProtocolVersion.V2}) {
      RawBackend rec = recorder();
      start(config(eventLoops(), tcp(), pool("app").backend("rec", rec.port()).proxyProtocol(v)));
      Socket c = connect();
      c.getOutputStream().write("data".getBytes(UTF_8));
      c.shutdownOutput();
      byte[] seen = RawBackend.readAll(c.getInputStream());
      ProxyProtocol.Result r = ProxyProtocol.parse(seen);
      assertEquals(ProxyProtocol.Status.VALID, r.status(), v + ": " + text(seen));
      assertEquals(new ProxyHeader((java.net.InetSocketAddress) c.getLocalSocketAddress(),
          new java.net.InetSocketAddress("127.0.0.1", node.port("tcp"))), r.header());
      assertEquals("data", text(Arrays.copyOfRange(seen, r.length(), seen.length)));
      node.shutdown(Duration.ofMillis(100)).await(10, java.util.concurrent.TimeUnit.SECONDS);
      node = null;
    }
  }

  @Test
  void acceptsAProxyHeaderFromATrustedAddressAndActsOnTheClientItNames() throws Exception {
    RawBackend rec = recorder();
    start(config(eventLoops(), tcp().acceptProxyProtocol(Duration.ofSeconds(5), "127.0.0.0/8"),
        pool("app").backend("rec", rec.port()).proxyProtocol(ProxyProtocolVersion.V2)
            .persistence(new PersistenceConfig(PersistenceConfig.Type.SOURCE_ADDRESS, null, Duration.ofMinutes(5)))));
    byte[] seen = exchange("PROXY TCP4 192.0.2.10 198.51.100.2 5555 443\r\nhello".getBytes(UTF_8));
    ProxyProtocol.Result r = ProxyProtocol.parse(seen);
    assertEquals(new ProxyHeader(new java.net.InetSocketAddress("192.0.2.10", 5555),
        new java.net.InetSocketAddress("198.51.100.2", 443)), r.header());
    assertEquals("hello", text(Arrays.copyOfRange(seen, r.length(), seen.length)));
    await().until(() -> "rec".equals(node.affinity().lookup("app", "192.0.2.10")));
  }

  @Test
  void refusesAProxyHeaderFromAnUntrustedAddressButServesItsPlainTraffic() throws Exception {
    RawBackend rec = recorder();
    start(config(eventLoops(), tcp().acceptProxyProtocol(Duration.ofSeconds(5), "10.0.0.0/8"),
        pool("app").backend("rec", rec.port())));
    assertEquals("plain", text(exchange("plain".getBytes(UTF_8))));
    try (LogCapture log = LogCapture.of(TcpConnection.class)) {
      assertEquals(0, exchange("PROXY TCP4 192.0.2.10 198.51.100.2 5555 443\r\nhello".getBytes(UTF_8)).length);
      await().until(() -> runtime().count(Outcome.PROXY_HEADER_UNTRUSTED) == 1);
      assertEquals(List.of("WARN listener tcp: refused connection from 127.0.0.1: PROXY header from an untrusted"
          + " address (further refusals within a second are only counted)"), log.lines());
    }
  }

  @Test
  void refusesAMalformedHeaderFromATrustedAddress() throws Exception {
    RawBackend rec = recorder();
    start(config(eventLoops(), tcp().acceptProxyProtocol(Duration.ofSeconds(5), "127.0.0.1"),
        pool("app").backend("rec", rec.port())));
    try (LogCapture log = LogCapture.of(TcpConnection.class)) {
      assertEquals(0, exchange("PROXY TCP4 999.1.1.1 1.2.3.4 1 2\r\nhello".getBytes(UTF_8)).length);
      await().until(() -> runtime().count(Outcome.PROXY_HEADER_INVALID) == 1);
      assertEquals(List.of("WARN listener tcp: refused connection from 127.0.0.1: PROXY v1: invalid TCP4 source"
          + " address \"999.1.1.1\" (further refusals within a second are only counted)"), log.lines());
    }
    assertEquals(0, rec.accepted.get());
  }

  @Test
  void aTrustedSenderMustSendItsHeaderInTime() throws Exception {
    RawBackend rec = recorder();
    start(config(eventLoops(), tcp().acceptProxyProtocol(Duration.ofMillis(200), "127.0.0.1"),
        pool("app").backend("rec", rec.port())));
    Socket c = connect();
    c.getOutputStream().write("PROXY TCP4".getBytes(UTF_8));
    assertEquals(-1, c.getInputStream().read());
    assertEquals(1, runtime().count(Outcome.CLIENT_TIMEOUT));
  }
}
