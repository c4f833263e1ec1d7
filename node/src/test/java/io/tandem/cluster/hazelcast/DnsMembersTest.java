package io.tandem.cluster.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.dns.DnsRecordType;
import io.tandem.cluster.Membership;
import io.tandem.config.AccessLogConfig;
import io.tandem.config.AdminConfig;
import io.tandem.config.ClusterConfig;
import io.tandem.config.DnsConfig;
import io.tandem.config.TandemConfig;
import io.tandem.config.VipConfig;
import io.tandem.testing.FakeDns;
import io.tandem.testing.HzTestNodes;
import io.tandem.testing.MemberPorts;
import io.tandem.testing.TestConfigs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster.discovery: dns} with real members: the name's A records are served by {@link FakeDns}. As pods do,
 * every member has its own address (127.0.0.2, 127.0.0.3, ...: all loopback on Linux) and they share one port.
 */
class DnsMembersTest {
  private static final String NAME = "members.tandem.test";
  private static final int MAX_MEMBERS = 5;

  private final String clusterName = "tandem-dns-test-" + System.nanoTime();
  private FakeDns dns;
  private HzTestNodes nodes;
  private int port;

  @BeforeEach
  void start() throws InterruptedException {
    dns = new FakeDns();
    nodes = new HzTestNodes(0, 1);
    port = portFreeOnEvery(MAX_MEMBERS);
  }

  @AfterEach
  void stop() {
    nodes.close();
    dns.close();
  }

  @Test
  void threeMembersFromOneNameFormOneClusterAndAFourthAddedLaterJoins() {
    dns.a(NAME, 1, ip(0), ip(1), ip(2));
    List<CompletableFuture<HazelcastCluster>> starting = IntStream.range(0, 3)
        .mapToObj(i -> CompletableFuture.supplyAsync(() -> nodes.start(config("tandem-" + i, ip(i))))).toList();
    List<HazelcastCluster> members = new ArrayList<>(starting.stream().map(CompletableFuture::join).toList());

    await().atMost(Duration.ofSeconds(30)).until(() -> members.stream().allMatch(m -> ids(m).size() == 3));
    List<String> expected = ids(members.get(0)).stream().sorted().toList();
    assertEquals(List.of("tandem-0", "tandem-1", "tandem-2"), expected);
    members.forEach(m -> assertEquals(ids(members.get(0)), ids(m), "one view, oldest first, on every member"));
    assertTrue(dns.queries(NAME, DnsRecordType.A) >= 3, "each member asked the name");

    dns.a(NAME, 1, ip(0), ip(1), ip(2), ip(3));
    members.add(nodes.start(config("tandem-3", ip(3))));
    await().atMost(Duration.ofSeconds(30)).until(() -> members.stream().allMatch(m -> ids(m).size() == 4));
    assertEquals(List.of("tandem-0", "tandem-1", "tandem-2", "tandem-3"),
        ids(members.get(3)).stream().sorted().toList());
    members.forEach(m -> assertTrue(m.alarms().isEmpty(), m.alarms().toString()));
  }

  @Test
  void membersThatStartedWhileTheNameFailedFindEachOtherOnceItAnswers() {
    dns.fail(NAME, FakeDns.Fault.SERVFAIL);
    HazelcastCluster first = nodes.start(config("tandem-0", ip(0)));
    HazelcastCluster second = nodes.start(config("tandem-1", ip(1)));
    assertEquals(List.of("tandem-0"), ids(first));
    assertEquals(List.of("tandem-1"), ids(second));

    dns.heal().a(NAME, 1, ip(0), ip(1));
    // Hazelcast asks the name again at its merge check (every 5 s) and the two one-member clusters merge.
    await().atMost(Duration.ofSeconds(40)).until(() -> ids(first).size() == 2 && ids(second).size() == 2);
  }

  @Test
  void aSecondMemberWithATakenIdIsRefused() {
    dns.a(NAME, 1, ip(0), ip(1));
    nodes.start(config("tandem-0", ip(0)));

    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> nodes.start(config("tandem-0", ip(1))));
    assertEquals("node id tandem-0 is already used by the member at " + ip(0) + ":" + port
        + "; --node must be unique in the cluster", refused.getMessage());
  }

  @Test
  void ofTwoMembersWithOneIdThatMeetAfterStartingApartTheYoungerIsDistrusted() {
    dns.fail(NAME, FakeDns.Fault.SERVFAIL);
    HazelcastCluster a = nodes.start(config("tandem-0", ip(0)));
    HazelcastCluster b = nodes.start(config("tandem-0", ip(1)));

    dns.heal().a(NAME, 1, ip(0), ip(1));
    await().atMost(Duration.ofSeconds(40)).until(() -> !a.alarms().isEmpty() || !b.alarms().isEmpty());
    // Each member that has seen both raises the same alarm about the younger (the older sees it, the younger sees
    // itself), so the distinct alarms are one.
    List<String> alarms = new ArrayList<>(new java.util.TreeSet<>(a.alarms()));
    alarms.addAll(new java.util.TreeSet<>(b.alarms()));
    alarms = alarms.stream().distinct().toList();
    assertEquals(1, alarms.size(), alarms.toString());
    assertTrue(alarms.get(0).matches("member 127\\.0\\.0\\.[23]:" + port + " claims node id tandem-0 that the "
        + "older member 127\\.0\\.0\\.[23]:" + port + " already uses \\(--node must be unique\\); it is ignored "
        + "by every decision \\(Hazelcast cannot refuse it\\)"), alarms.get(0));
    assertEquals(List.of("tandem-0"), ids(a));
    assertEquals(List.of("tandem-0"), ids(b));
  }

  private TandemConfig config(String nodeId, String address) {
    ClusterConfig cluster = new ClusterConfig(clusterName, nodeId,
        List.of(new ClusterConfig.NodeEntry(nodeId, address, port, null, 0)), Duration.ofSeconds(1),
        Duration.ofSeconds(4), 1, null, 0, new ClusterConfig.MemberDiscovery(NAME, port));
    DnsConfig resolver = new DnsConfig(List.of(dns.address()), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(5), Duration.ofSeconds(1));
    TestConfigs.PoolBuilder pool = TestConfigs.pool("web").backend("b1", 9001);
    TandemConfig base = TestConfigs.config(1, TestConfigs.listener("http").defaultPool("web"), pool);
    return new TandemConfig(null, TestConfigs.nodeSettings(1, Duration.ofSeconds(1)), base.listeners(), base.pools(),
        new AccessLogConfig(false), cluster, AdminConfig.NONE, VipConfig.NONE, resolver);
  }

  private static List<String> ids(HazelcastCluster member) {
    return member.membership().members().stream().map(Membership.Member::nodeId).toList();
  }

  /** 127.0.0.2 for member 0, 127.0.0.3 for member 1, ... */
  private static String ip(int member) {
    return "127.0.0." + (member + 2);
  }

  /** One member port free on each of the first {@code count} members' addresses. */
  private static int portFreeOnEvery(int count) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int candidate = MemberPorts.free(ip(0));
      if (IntStream.range(1, count).allMatch(i -> bindable(ip(i), candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no port free on every one of " + count + " loopback addresses");
  }

  private static boolean bindable(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
