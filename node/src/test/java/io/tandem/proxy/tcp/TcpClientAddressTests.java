package io.tandem.proxy.tcp;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.config.Algorithm;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.ProxyProtocolVersion;
import io.tandem.testing.LogCapture;
import io.tandem.testing.RawBackend;
import io.tandem.testing.TestConfigs;
import io.tandem.util.Outcome;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the TCP proxy does with the client's address: source affinity, source hashing, the PROXY protocol both ways. */
abstract class TcpClientAddressTests extends TcpProxyTestBase {
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
