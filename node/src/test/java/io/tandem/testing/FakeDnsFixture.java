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

/** The fake DNS server on one event loop, a resolver pointed at it, and ways to read what it answers. */
@ExtendWith(NoLeakedBuffers.class)
abstract class FakeDnsFixture {
  static EventLoopGroup group;
  FakeDns dns;
  DnsNameResolver resolver;

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


  /** The resolver's failure for an error code: UnknownHostException caused by DnsErrorCauseException. */
  void assertFailsWith(String name, DnsRecordType type, DnsResponseCode code) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> resolve(name, type), name + " " + type);
    assertInstanceOf(UnknownHostException.class, e.getCause());
    Throwable cause = e.getCause().getCause();
    assertInstanceOf(DnsErrorCauseException.class, cause, name + " " + type);
    assertEquals(code, ((DnsErrorCauseException) cause).getCode());
    assertTrue(cause.getMessage().startsWith("Query failed with "), cause.getMessage());
  }

  /** Sends queries itself and hands back the decoded responses, to see what the resolver hides. */
  final class RawClient implements AutoCloseable {
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

  record Answer(String name, DnsRecordType type, long ttl, String data) {}

  /** Resolves one question; the records as plain values, released. */
  List<Answer> resolve(String name, DnsRecordType type) throws Exception {
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

  static String data(DnsRecord r) throws Exception {
    ByteBuf c = ((DnsRawRecord) r).content().duplicate();
    if (r.type().equals(DnsRecordType.SRV)) {
      return c.readUnsignedShort() + " " + c.readUnsignedShort() + " " + c.readUnsignedShort() + " "
          + DefaultDnsRecordDecoder.decodeName(c);
    }
    return InetAddress.getByAddress(ByteBufUtil.getBytes(c)).getHostAddress();
  }
}
