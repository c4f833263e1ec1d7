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
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
