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

@ExtendWith(NoLeakedBuffers.class)
class FakeDnsTest {
  private static EventLoopGroup group;
  private FakeDns dns;
  private DnsNameResolver resolver;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @BeforeEach
  void start() throws InterruptedException {
    dns = new FakeDns();
    resolver = new DnsNameResolverBuilder(group.next())
        .datagramChannelType(NioDatagramChannel.class)
        .resolveCache(NoopDnsCache.INSTANCE)
        .cnameCache(NoopDnsCnameCache.INSTANCE)
        .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
        .nameServerProvider(new SingletonDnsServerAddressStreamProvider(dns.address()))
        .searchDomains(List.of())
        .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
        .queryTimeoutMillis(500)
        .maxQueriesPerResolve(1)
        .build();
  }

  @AfterEach
  void stop() {
    resolver.close();
    dns.close();
  }

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

  /** The header: the query's id, AA set, RD copied, RA clear, the question echoed. */
  @Test
  void responseHeader() throws Exception {
    dns.a("web.test", 30, "10.0.0.1");
    try (RawClient raw = new RawClient()) {
      for (boolean rd : new boolean[] {true, false}) {
        DatagramDnsResponse r = raw.query("web.test", DnsRecordType.A, rd);
        try {
          assertEquals(raw.lastId, r.id());
          assertTrue(r.isAuthoritativeAnswer());
          assertEquals(rd, r.isRecursionDesired());
          assertFalse(r.isRecursionAvailable());
          assertEquals(DnsResponseCode.NOERROR, r.code());
          assertEquals(1, r.count(DnsSection.QUESTION));
          DnsRecord q = r.recordAt(DnsSection.QUESTION);
          assertEquals("web.test.", q.name());
          assertEquals(DnsRecordType.A, q.type());
          assertEquals(1, r.count(DnsSection.ANSWER));
          assertEquals(dns.address(), r.sender());
        } finally {
          r.release();
        }
      }
    }
  }

  /**
   * SRV answers carry the A and AAAA records the server knows for their targets in the additional section (once per
   * target); the resolver's resolveAll(DnsQuestion) returns the answer section only.
   */
  @Test
  void srvTargetsAddressesComeAsAdditionals() throws Exception {
    dns.srv("_h._tcp.svc.test", 60, new FakeDns.Srv(1, 1, 80, "b1.svc.test"),
        new FakeDns.Srv(1, 1, 81, "B1.svc.test."), new FakeDns.Srv(2, 1, 80, "b2.svc.test"),
        new FakeDns.Srv(3, 1, 80, "elsewhere.test"));
    dns.a("b1.svc.test", 11, "10.0.0.1").aaaa("b1.svc.test", 12, "2001:db8::1").a("b2.svc.test", 13, "10.0.0.2");
    try (RawClient raw = new RawClient()) {
      DatagramDnsResponse r = raw.query("_h._tcp.svc.test", DnsRecordType.SRV, true);
      try {
        assertEquals(4, r.count(DnsSection.ANSWER));
        List<Answer> extra = new ArrayList<>();
        for (int i = 0; i < r.count(DnsSection.ADDITIONAL); i++) {
          DnsRecord x = r.recordAt(DnsSection.ADDITIONAL, i);
          extra.add(new Answer(x.name(), x.type(), x.timeToLive(), data(x)));
        }
        assertEquals(List.of(new Answer("b1.svc.test.", DnsRecordType.A, 11, "10.0.0.1"),
            new Answer("b1.svc.test.", DnsRecordType.AAAA, 12, "2001:db8:0:0:0:0:0:1"),
            new Answer("b2.svc.test.", DnsRecordType.A, 13, "10.0.0.2")), extra);
      } finally {
        r.release();
      }
    }
    assertEquals(4, resolve("_h._tcp.svc.test", DnsRecordType.SRV).size());
  }

  /** Garbage, and a query without a question, get no answer and leave the server serving. */
  @Test
  void malformedDatagramsAreIgnored() throws Exception {
    dns.a("web.test", 30, "10.0.0.1");
    try (RawClient raw = new RawClient()) {
      raw.sendBytes(1, 2, 3, 4, 5);
      raw.sendBytes(0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 'x'); // one question, its name cut short
      raw.channel.writeAndFlush(new DatagramDnsQuery(null, dns.address(), 77)).sync();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> dns.malformed() == 3);
      DatagramDnsResponse r = raw.query("web.test", DnsRecordType.A, true);
      try {
        assertEquals(1, r.count(DnsSection.ANSWER));
      } finally {
        r.release();
      }
      assertNull(raw.responses.poll(), "no answer to the malformed ones");
    }
    assertEquals(1, dns.queries());
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

  /** The resolver's failure for an error code: UnknownHostException caused by DnsErrorCauseException. */
  private void assertFailsWith(String name, DnsRecordType type, DnsResponseCode code) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> resolve(name, type), name + " " + type);
    assertInstanceOf(UnknownHostException.class, e.getCause());
    Throwable cause = e.getCause().getCause();
    assertInstanceOf(DnsErrorCauseException.class, cause, name + " " + type);
    assertEquals(code, ((DnsErrorCauseException) cause).getCode());
    assertTrue(cause.getMessage().startsWith("Query failed with "), cause.getMessage());
  }

  /** Sends queries itself and hands back the decoded responses, to see what the resolver hides. */
  private final class RawClient implements AutoCloseable {
    final LinkedBlockingQueue<DatagramDnsResponse> responses = new LinkedBlockingQueue<>();
    final Channel channel;
    int lastId = 4000;

    RawClient() throws InterruptedException {
      channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
          .handler(new ChannelInitializer<NioDatagramChannel>() {
            @Override
            protected void initChannel(NioDatagramChannel ch) {
              ch.pipeline().addLast(new DatagramDnsQueryEncoder(), new DatagramDnsResponseDecoder(),
                  new SimpleChannelInboundHandler<DatagramDnsResponse>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsResponse r) {
                      responses.add(r.retain());
                    }
                  });
            }
          }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    /** The response (to release) to one query. */
    DatagramDnsResponse query(String name, DnsRecordType type, boolean rd) throws Exception {
      DatagramDnsQuery q = new DatagramDnsQuery(null, dns.address(), ++lastId);
      q.setRecursionDesired(rd).addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
      channel.writeAndFlush(q).sync();
      DatagramDnsResponse r = responses.poll(5, TimeUnit.SECONDS);
      assertNotNull(r, "no response to " + name + " " + type);
      return r;
    }

    /** A datagram as is, past the query encoder. */
    void sendBytes(int... bytes) throws InterruptedException {
      ByteBuf b = Unpooled.buffer(bytes.length);
      for (int x : bytes) {
        b.writeByte(x);
      }
      channel.pipeline().firstContext().writeAndFlush(new DatagramPacket(b, dns.address())).sync();
    }

    @Override
    public void close() {
      channel.close().syncUninterruptibly();
      DatagramDnsResponse r;
      while ((r = responses.poll()) != null) {
        r.release();
      }
    }
  }

  private record Answer(String name, DnsRecordType type, long ttl, String data) {}

  /** Resolves one question; the records as plain values, released. */
  private List<Answer> resolve(String name, DnsRecordType type) throws Exception {
    List<DnsRecord> records = resolver.resolveAll(new DefaultDnsQuestion(name, type)).get(5, TimeUnit.SECONDS);
    List<Answer> out = new ArrayList<>();
    try {
      for (DnsRecord r : records) {
        out.add(new Answer(r.name(), r.type(), r.timeToLive(), data(r)));
      }
    } finally {
      records.forEach(ReferenceCountUtil::release);
    }
    return out;
  }

  private static String data(DnsRecord r) throws Exception {
    ByteBuf c = ((DnsRawRecord) r).content().duplicate();
    if (r.type().equals(DnsRecordType.SRV)) {
      return c.readUnsignedShort() + " " + c.readUnsignedShort() + " " + c.readUnsignedShort() + " "
          + DefaultDnsRecordDecoder.decodeName(c);
    }
    return InetAddress.getByAddress(ByteBufUtil.getBytes(c)).getHostAddress();
  }
}
