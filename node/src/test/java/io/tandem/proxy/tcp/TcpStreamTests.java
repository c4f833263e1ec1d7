package io.tandem.proxy.tcp;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.pool;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.RawBackend;
import io.tandem.util.Outcome;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Bytes through the TCP proxy: both directions, half-closes, back-pressure, a drain. Real sockets, real node, raw
 * backends.
 */
abstract class TcpStreamTests extends TcpProxyTestBase {
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
}
