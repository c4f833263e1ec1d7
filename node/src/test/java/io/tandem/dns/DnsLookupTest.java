package io.tandem.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DnsRecordType;
import io.tandem.config.DiscoverConfig;
import io.tandem.config.DnsConfig;
import io.tandem.testing.FakeDns;
import io.tandem.testing.NoLeakedBuffers;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link DnsLookup} against a real DNS server on loopback ({@link FakeDns}). */
@ExtendWith(NoLeakedBuffers.class)
class DnsLookupTest {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private FakeDns dns;
  private DnsLookup lookup;

  @BeforeEach
  void start() throws Exception {
    dns = new FakeDns();
    lookup = lookup(List.of(dns.address()));
  }

  private DnsLookup lookup(List<InetSocketAddress> servers) {
    DnsConfig config = new DnsConfig(servers, Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofSeconds(30),
        Duration.ofSeconds(30));
    return DnsLookup.create(config, group.next(), NioDatagramChannel::new);
  }

  @AfterEach
  void stop() throws Exception {
    lookup.close();
    dns.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private DnsLookup.Answer ask(DiscoverConfig.Type type, String name, int port) {
    return lookup.lookup(type, name, port).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  private static List<String> ids(DnsLookup.Answer a) {
    return a.endpoints().stream().map(DnsLookup.Endpoint::id).toList();
  }

  @Test
  void addressNamesGiveOneEndpointPerRecordSortedWithTheLowestTtl() {
    dns.a("web.tandem.test", 30, "10.0.0.3", "10.0.0.1").aaaa("web.tandem.test", 20, "fd00::7");
    DnsLookup.Answer any = ask(DiscoverConfig.Type.ANY, "web.tandem.test", 8080);
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.3:8080", "[fd00::7]:8080"), ids(any));
    assertEquals(20, any.ttlSeconds());
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.3:8080"), ids(ask(DiscoverConfig.Type.IPV4, "WEB.tandem.test.",
        8080)), "names are matched without case, with or without the trailing dot");
    assertEquals(List.of("[fd00::7]:8080"), ids(ask(DiscoverConfig.Type.IPV6, "web.tandem.test", 8080)));
    assertEquals(2, dns.queries("web.tandem.test", DnsRecordType.A), "no cache: each lookup asks the server");
  }

  @Test
  void aNameWithoutRecordsGivesAnEmptyAnswerAndAnUnknownNameFails() {
    dns.a("empty.tandem.test", 30);
    assertEquals(List.of(), ask(DiscoverConfig.Type.ANY, "empty.tandem.test", 80).endpoints());
    assertEquals(-1, ask(DiscoverConfig.Type.ANY, "empty.tandem.test", 80).ttlSeconds());
    CompletionException e = assertThrows(CompletionException.class,
        () -> ask(DiscoverConfig.Type.ANY, "nowhere.tandem.test", 80));
    String why = DnsLookup.describe(e);
    assertTrue(why.contains("nowhere.tandem.test") && why.contains("NXDOMAIN"), why);
  }

  @Test
  void srvRecordsGiveTheTargetsAddressesWithTheirPortsWeightsAndPriorities() {
    dns.srv("_http._tcp.api.tandem.test", 60, new FakeDns.Srv(10, 5, 9001, "a.tandem.test"),
        new FakeDns.Srv(20, 0, 9002, "b.tandem.test"));
    dns.a("a.tandem.test", 15, "10.0.1.1", "10.0.1.2").a("b.tandem.test", 40, "10.0.2.1");
    DnsLookup.Answer a = ask(DiscoverConfig.Type.SRV, "_http._tcp.api.tandem.test", 0);
    assertEquals(List.of(new DnsLookup.Endpoint("10.0.1.1", 9001, 5, 10), new DnsLookup.Endpoint("10.0.1.2", 9001, 5,
        10), new DnsLookup.Endpoint("10.0.2.1", 9002, 0, 20)), a.endpoints());
    assertEquals(15, a.ttlSeconds(), "the lowest TTL of the SRV and the targets' records");

    dns.remove("b.tandem.test");
    CompletionException e = assertThrows(CompletionException.class,
        () -> ask(DiscoverConfig.Type.SRV, "_http._tcp.api.tandem.test", 0));
    assertTrue(DnsLookup.describe(e).contains("b.tandem.test"), "a target that cannot be resolved fails the answer "
        + "(rather than draining its backends): " + DnsLookup.describe(e));
  }

  @Test
  void serverFailuresAndTimeOutsFailAndTheNextResolverIsAsked() throws Exception {
    dns.a("web.tandem.test", 30, "10.0.0.1").fail("web.tandem.test", FakeDns.Fault.SERVFAIL);
    CompletionException e = assertThrows(CompletionException.class,
        () -> ask(DiscoverConfig.Type.IPV4, "web.tandem.test", 80));
    assertTrue(DnsLookup.describe(e).contains("SERVFAIL"), DnsLookup.describe(e));
    dns.heal();

    // A resolver that never answers first: after its time-out the next one is asked.
    try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        DnsLookup two = lookup(List.of(new InetSocketAddress("127.0.0.1", silent.getLocalPort()), dns.address()))) {
      DnsLookup.Answer a = two.lookup(DiscoverConfig.Type.IPV4, "web.tandem.test", 80).toCompletableFuture()
          .orTimeout(10, TimeUnit.SECONDS).join();
      assertEquals(List.of("10.0.0.1:80"), ids(a));
    }
  }
}
