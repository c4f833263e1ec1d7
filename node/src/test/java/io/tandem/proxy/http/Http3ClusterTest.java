package io.tandem.proxy.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.TestTls;
import io.tandem.bootstrap.TandemNode;
import io.tandem.config.ClusterConfig;
import io.tandem.config.ListenerConfig;
import io.tandem.config.TandemConfig;
import io.tandem.proxy.h3.H3Stats;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.H3Client;
import io.tandem.testing.MemberPorts;
import io.tandem.testing.TestCerts;
import io.tandem.testing.TestConfigs;
import io.tandem.testing.UdpSwitch;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster-aware QUIC connection ids, on an in-JVM cluster of two nodes with UDP on loopback and a {@link UdpSwitch}
 * in the place of the virtual IP: a connection made through n1 keeps working when the address moves to n2 (n2 reads
 * n1's server id in the connection id and relays the packets to n1, whose answers come back through n2), and once n1
 * is gone, n2 answers its connection's packets with a stateless reset, so the client gives up at once instead of
 * waiting out its idle time-out.
 */
class Http3ClusterTest {
  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final List<TandemNode> nodes = new ArrayList<>();
  private final List<TandemNode> crashed = new ArrayList<>();
  private FakeBackend backend;

  @AfterEach
  void stop() throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (!crashed.contains(nodes.get(i))) {
        nodes.get(i).shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
      }
    }
    if (backend != null) {
      backend.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static H3Stats.Snapshot stats(TandemNode n) {
    return n.listener("web").http3().snapshot();
  }

  @Test
  void aConnectionFollowsTheAddressToAnotherNodeAndIsResetWhenItsNodeIsGone() throws Exception {
    TestCerts.Pair cert = TestCerts.create(dir).leaf("a", "a.tandem.test");
    backend = FakeBackend.start(vertx, "b1");
    String name = "h3-" + UUID.randomUUID();
    List<ClusterConfig.NodeEntry> entries = List.of(
        new ClusterConfig.NodeEntry("n1", "127.0.0.1", MemberPorts.free(), null, 0),
        new ClusterConfig.NodeEntry("n2", "127.0.0.1", MemberPorts.free(), null, 0));
    for (ClusterConfig.NodeEntry e : entries) {
      TandemConfig base = TestConfigs.config(1, TestConfigs.listener("web")
              .tls(TestTls.tls(null, List.of(cert))).http3(ListenerConfig.Http3.defaults()),
          TestConfigs.pool("app").backend(backend.name(), backend.port()));
      ClusterConfig cluster = new ClusterConfig(name, e.id(), entries, Duration.ofSeconds(1), Duration.ofSeconds(4),
          1, null);
      nodes.add(TandemNode.start(new TandemConfig(null, base.node(), base.listeners(), base.pools(),
          base.accessLog(), cluster)).await(60, TimeUnit.SECONDS));
    }
    TandemNode n1 = nodes.get(0);
    TandemNode n2 = nodes.get(1);
    await().atMost(Duration.ofSeconds(20)).until(() -> n1.shared().quic().relays().containsKey(2)
        && n2.shared().quic().relays().containsKey(1));
    InetSocketAddress at1 = new InetSocketAddress("127.0.0.1", n1.port("web"));
    InetSocketAddress at2 = new InetSocketAddress("127.0.0.1", n2.port("web"));

    try (UdpSwitch vip = new UdpSwitch(at1);
        H3Client client = H3Client.connect(vip.address(), "a.tandem.test")) {
      assertEquals(200, client.get("/through-n1").get(10, TimeUnit.SECONDS).status());
      assertEquals(1, stats(n1).streams());

      vip.target(at2);   // the address moves: the connection's packets now reach n2
      for (int i = 0; i < 5; i++) {
        H3Client.Response r = client.get("/after-the-move/" + i).get(10, TimeUnit.SECONDS);
        assertEquals(200, r.status(), r.toString());
      }
      assertEquals(6, stats(n1).streams(), "n1 still serves its connection");
      assertEquals(0, stats(n2).streams());
      assertEquals(0, stats(n2).accepted(), "n2 made no connection of its own");
      assertTrue(stats(n2).relayedOut() > 0, stats(n2).toString());
      assertTrue(stats(n1).relayedIn() > 0, stats(n1).toString());
      assertEquals(6, backend.received().size());

      n1.crash().await(30, TimeUnit.SECONDS);
      crashed.add(n1);
      await().atMost(Duration.ofSeconds(20)).until(() -> !n2.shared().quic().relays().containsKey(1));
      client.get("/after-n1-died");   // its packets reach n2, which has no node to relay them to
      // Well within the 30 s idle time-out: the reset ends the connection, and n2 counted it.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(
          () -> assertFalse(client.quic().isActive(), "still open; n2: " + stats(n2)));
      assertTrue(stats(n2).statelessResets() >= 1, stats(n2).toString());
    }
  }
}
