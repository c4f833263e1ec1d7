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

/** FakeDns on the wire, with a raw client: the response header, SRV additionals, malformed datagrams. */
class FakeDnsWireTest extends FakeDnsFixture {
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

}
