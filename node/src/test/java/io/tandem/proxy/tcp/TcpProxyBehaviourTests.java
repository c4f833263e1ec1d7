package io.tandem.proxy.tcp;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.Algorithm;
import io.tandem.config.PersistenceConfig;
import io.tandem.proxy.Outcome;
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
    c.getOutputStream().write("hello\n".getBytes());
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
      out.write("220 ready\r\n".getBytes());
      byte[] line = new byte[6];
      int n = s.getInputStream().readNBytes(line, 0, 6);
      out.write(("221 got " + new String(line, 0, n) + "\r\n").getBytes());
      s.shutdownOutput();
      RawBackend.readAll(s.getInputStream());
    }));
    start(config(eventLoops(), tcp(), pool("app").backend("smtp", smtp.port())));
    Socket c = connect();
    byte[] banner = c.getInputStream().readNBytes(11);
    assertEquals("220 ready\r\n", text(banner));
    c.getOutputStream().write("QUIT\r\n".getBytes());
    assertEquals("221 got QUIT\r\n\r\n", text(RawBackend.readAll(c.getInputStream())));
  }

  @Test
  void clientHalfCloseReachesTheBackendAndTheAnswerStillFlows() throws Exception {
    RawBackend counter = backend(RawBackend.start("count", s -> {
      byte[] all = RawBackend.readAll(s.getInputStream());   // returns only on the client's FIN
      s.getOutputStream().write(("got " + all.length).getBytes());
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
      s.getOutputStream().write("bye early".getBytes());
      s.shutdownOutput();
      byte[] rest = RawBackend.readAll(s.getInputStream());
      synchronized (received) {
        received.append(text(rest));
      }
    }));
    start(config(eventLoops(), tcp(), pool("app").backend("b", banner.port())));
    Socket c = connect();
    assertEquals("bye early", text(RawBackend.readAll(c.getInputStream())));   // EOF seen by the client
    c.getOutputStream().write("still talking".getBytes());
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
  void anIdleConnectionIsClosed() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    start(config(eventLoops(), tcp().timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMillis(300)),
        pool("app").backend("b1", echo.port())));
    Socket c = connect();
    c.getOutputStream().write("x".getBytes());
    assertEquals('x', c.getInputStream().read());
    assertEquals(-1, c.getInputStream().read());
    await().until(() -> runtime().count(Outcome.IDLE_TIMEOUT) == 1);
  }

  @Test
  void theListenerLimitClosesFurtherConnections() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    start(config(eventLoops(), tcp().maxConnections(1), pool("app").backend("b1", echo.port())));
    Socket first = connect();
    first.getOutputStream().write("1".getBytes());
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
    first.getOutputStream().write("1".getBytes());
    assertEquals('1', first.getInputStream().read());
    Socket second = connect();
    second.getOutputStream().write("2".getBytes());
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
    c.getOutputStream().write("a".getBytes());
    assertEquals('a', c.getInputStream().read());
    var stopped = node.shutdown(Duration.ofSeconds(20));
    c.getOutputStream().write("b".getBytes());
    assertEquals('b', c.getInputStream().read());
    assertTrue(!stopped.isComplete());
    c.shutdownOutput();
    assertEquals(-1, c.getInputStream().read());
    stopped.await(10, java.util.concurrent.TimeUnit.SECONDS);
    node = null;
  }

  static void assertBytes(byte[] expected, byte[] actual) {
    assertArrayEquals(expected, actual);
  }

  static void drain(InputStream in) throws IOException {
    RawBackend.readAll(in);
  }
}
