package io.tandem.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsErrorCauseException;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** FakeDns through a real resolver: records, error codes, faults, counts, names. */
class FakeDnsTest extends FakeDnsFixture {
  /** A records and their TTLs. */
  @Test
  void answersA() throws Exception {
    dns.a("web.test", 30, "10.0.0.1", "10.0.0.2");
    List<Answer> got = resolve("web.test", DnsRecordType.A);
    assertEquals(List.of(new Answer("web.test.", DnsRecordType.A, 30, "10.0.0.1"),
        new Answer("web.test.", DnsRecordType.A, 30, "10.0.0.2")), got);
  }

  @Test
  void answersAaaa() throws Exception {
    dns.aaaa("web.test", 5, "::1", "2001:db8::7");
    assertEquals(List.of(new Answer("web.test.", DnsRecordType.AAAA, 5, "0:0:0:0:0:0:0:1"),
        new Answer("web.test.", DnsRecordType.AAAA, 5, "2001:db8:0:0:0:0:0:7")),
        resolve("web.test", DnsRecordType.AAAA));
  }

  @Test
  void answersSrv() throws Exception {
    dns.srv("_http._tcp.svc.test", 60, new FakeDns.Srv(10, 5, 8080, "b1.svc.test"),
        new FakeDns.Srv(20, 0, 8081, "b2.svc.test."));
    dns.a("b1.svc.test", 30, "10.0.0.1");
    List<Answer> got = resolve("_http._tcp.svc.test", DnsRecordType.SRV);
    assertEquals(List.of(new Answer("_http._tcp.svc.test.", DnsRecordType.SRV, 60, "10 5 8080 b1.svc.test."),
        new Answer("_http._tcp.svc.test.", DnsRecordType.SRV, 60, "20 0 8081 b2.svc.test.")), got);
  }

  /** resolveAll(String): the A records as addresses. */
  @Test
  void resolvesHostNamesToAddresses() throws Exception {
    dns.a("web.test", 30, "10.0.0.1", "10.0.0.2");
    List<InetAddress> got = resolver.resolveAll("web.test").get(5, TimeUnit.SECONDS);
    assertEquals(List.of("10.0.0.1", "10.0.0.2"), got.stream().map(InetAddress::getHostAddress).toList());
    assertEquals("web.test", got.get(0).getHostName());
  }

  @Test
  void settingRecordsReplacesThem() throws Exception {
    dns.a("web.test", 30, "10.0.0.1", "10.0.0.2");
    assertEquals(2, resolve("web.test", DnsRecordType.A).size());
    dns.a("web.test", 7, "10.0.0.9");
    assertEquals(List.of(new Answer("web.test.", DnsRecordType.A, 7, "10.0.0.9")),
        resolve("web.test", DnsRecordType.A));
    dns.aaaa("web.test", 7, "::2");
    assertEquals(List.of(new Answer("web.test.", DnsRecordType.A, 7, "10.0.0.9")),
        resolve("web.test", DnsRecordType.A), "other types are left alone");
  }

  /**
   * A name with no records of the type asked: NOERROR with an empty answer. The resolver reports that as an
   * UnknownHostException without a cause (not as an empty list), unlike NXDOMAIN, whose cause names the code.
   */
  @Test
  void aNameWithoutRecordsOfTheTypeIsNoErrorWithNoAnswer() throws Exception {
    dns.a("empty.test", 30);
    dns.srv("_svc._tcp.test", 30, new FakeDns.Srv(1, 1, 80, "web.test"));
    try (RawClient raw = new RawClient()) {
      for (String[] q : new String[][] {{"empty.test", "A"}, {"_svc._tcp.test", "A"}, {"empty.test", "AAAA"}}) {
        DatagramDnsResponse r = raw.query(q[0], DnsRecordType.valueOf(q[1]), true);
        try {
          assertEquals(DnsResponseCode.NOERROR, r.code(), q[0] + " " + q[1]);
          assertEquals(0, r.count(DnsSection.ANSWER), q[0] + " " + q[1]);
        } finally {
          r.release();
        }
      }
    }
    ExecutionException e = assertThrows(ExecutionException.class, () -> resolve("empty.test", DnsRecordType.A));
    assertInstanceOf(UnknownHostException.class, e.getCause());
    assertNull(e.getCause().getCause());
  }

  @Test
  void unknownAndRemovedNamesAreNxdomain() throws Exception {
    assertFailsWith("unknown.test", DnsRecordType.A, DnsResponseCode.NXDOMAIN);
    dns.a("web.test", 30, "10.0.0.1");
    dns.srv("web.test", 30, new FakeDns.Srv(1, 1, 80, "web.test"));
    assertEquals(1, resolve("web.test", DnsRecordType.A).size());
    dns.remove("web.test");
    assertFailsWith("web.test", DnsRecordType.A, DnsResponseCode.NXDOMAIN);
    assertFailsWith("web.test", DnsRecordType.SRV, DnsResponseCode.NXDOMAIN);
    assertFailsWith("web.test", DnsRecordType.AAAA, DnsResponseCode.NXDOMAIN);
    try (RawClient raw = new RawClient()) {
      DatagramDnsResponse r = raw.query("web.test", DnsRecordType.A, true);
      try {
        assertEquals(DnsResponseCode.NXDOMAIN, r.code());
        assertTrue(r.isAuthoritativeAnswer());
      } finally {
        r.release();
      }
    }
  }

  @Test
  void faultsPerNameUntilHealed() throws Exception {
    dns.a("a.test", 30, "10.0.0.1");
    dns.a("b.test", 30, "10.0.0.2");
    dns.a("c.test", 30, "10.0.0.3");
    dns.fail("a.test", FakeDns.Fault.SERVFAIL).fail("b.test", FakeDns.Fault.NXDOMAIN)
        .fail("c.test", FakeDns.Fault.REFUSED);
    assertFailsWith("a.test", DnsRecordType.A, DnsResponseCode.SERVFAIL);
    assertFailsWith("a.test", DnsRecordType.AAAA, DnsResponseCode.SERVFAIL);
    assertFailsWith("b.test", DnsRecordType.A, DnsResponseCode.NXDOMAIN);
    try (RawClient raw = new RawClient()) {
      // The resolver gives an UnknownHostException without a cause for REFUSED; the code on the wire:
      DatagramDnsResponse r = raw.query("c.test", DnsRecordType.A, true);
      try {
        assertEquals(DnsResponseCode.REFUSED, r.code());
        assertEquals(0, r.count(DnsSection.ANSWER));
      } finally {
        r.release();
      }
    }
    dns.a("d.test", 30, "10.0.0.4");
    assertEquals(1, resolve("d.test", DnsRecordType.A).size(), "other names unaffected");
    dns.heal();
    assertEquals(List.of(new Answer("a.test.", DnsRecordType.A, 30, "10.0.0.1")), resolve("a.test", DnsRecordType.A));
    assertEquals(1, resolve("b.test", DnsRecordType.A).size());
    assertEquals(1, resolve("c.test", DnsRecordType.A).size());
  }

  @Test
  void aGlobalFaultHitsEveryName() throws Exception {
    dns.a("web.test", 30, "10.0.0.1");
    dns.fail(FakeDns.Fault.SERVFAIL);
    assertFailsWith("web.test", DnsRecordType.A, DnsResponseCode.SERVFAIL);
    assertFailsWith("unknown.test", DnsRecordType.A, DnsResponseCode.SERVFAIL);
    dns.heal();
    assertEquals(1, resolve("web.test", DnsRecordType.A).size());
  }

  /** DROP: no answer; the resolver's query times out (queryTimeoutMillis 500). */
  @Test
  void droppedQueriesTimeOut() throws Exception {
    dns.a("web.test", 30, "10.0.0.1");
    dns.fail(FakeDns.Fault.DROP);
    ExecutionException e = assertThrows(ExecutionException.class, () -> resolve("web.test", DnsRecordType.A));
    // The query reached the fake and got no answer: the failure is the resolver's own time-out, not a response.
    assertTrue(dns.queries("web.test", DnsRecordType.A) >= 1, "the query was received, then dropped");
    assertInstanceOf(UnknownHostException.class, e.getCause());
    assertInstanceOf(DnsNameResolverTimeoutException.class, e.getCause().getCause());
    Future<List<InetAddress>> f = resolver.resolveAll("web.test");
    assertInstanceOf(DnsNameResolverTimeoutException.class,
        assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS)).getCause().getCause());
    assertEquals(2, dns.queries(), "dropped queries are counted");
    dns.heal();
    assertEquals(1, resolve("web.test", DnsRecordType.A).size());
  }

  @Test
  void countsQueries() throws Exception {
    dns.a("web.test", 30, "10.0.0.1");
    assertEquals(0, dns.queries());
    resolve("web.test", DnsRecordType.A);
    resolve("web.test", DnsRecordType.A);
    resolver.resolveAll("web.test").get(5, TimeUnit.SECONDS);
    assertThrows(ExecutionException.class, () -> resolve("web.test", DnsRecordType.AAAA));
    assertThrows(ExecutionException.class, () -> resolve("unknown.test", DnsRecordType.SRV));
    assertEquals(3, dns.queries("web.test", DnsRecordType.A));
    assertEquals(1, dns.queries("WEB.test.", DnsRecordType.AAAA));
    assertEquals(0, dns.queries("web.test", DnsRecordType.SRV));
    assertEquals(1, dns.queries("unknown.test", DnsRecordType.SRV));
    assertEquals(5, dns.queries());
  }

  @Test
  void namesMatchCaseInsensitivelyWithOrWithoutTrailingDot() throws Exception {
    dns.a("Web.Test.", 30, "10.0.0.1");
    for (String name : List.of("web.test", "WEB.TEST.", "wEb.tEsT")) {
      List<Answer> got = resolve(name, DnsRecordType.A);
      assertEquals(List.of("10.0.0.1"), got.stream().map(Answer::data).toList(), name);
      assertTrue(got.get(0).name().equalsIgnoreCase("web.test."), got.toString());
    }
    dns.fail("WEB.test.", FakeDns.Fault.SERVFAIL);
    assertFailsWith("web.TEST", DnsRecordType.A, DnsResponseCode.SERVFAIL);
    dns.heal();
    dns.remove("web.test.");
    assertFailsWith("Web.Test", DnsRecordType.A, DnsResponseCode.NXDOMAIN);
    assertEquals(5, dns.queries("web.test", DnsRecordType.A));
  }


  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> dns.a("web.test", 30, "::1"));
    assertThrows(IllegalArgumentException.class, () -> dns.aaaa("web.test", 30, "10.0.0.1"));
    assertThrows(IllegalArgumentException.class, () -> dns.a("web.test", 30, "example.com"));
    assertThrows(IllegalArgumentException.class, () -> dns.a("web.test", -1, "10.0.0.1"));
    assertThrows(IllegalArgumentException.class, () -> new FakeDns.Srv(70000, 0, 80, "x.test"));
    assertThrows(IllegalArgumentException.class, () -> new FakeDns.Srv(1, 0, 80, "a..test"));
  }

}
