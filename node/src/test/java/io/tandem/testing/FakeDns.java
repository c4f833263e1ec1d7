package io.tandem.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small authoritative DNS server for tests, on UDP at {@link #address()} (127.0.0.1, a free port). It holds A, AAAA
 * and SRV records set by {@link #a}, {@link #aaaa} and {@link #srv}, answers with the authoritative-answer flag set
 * (recursion desired copied from the query, recursion available never), and puts the A/AAAA records it knows for SRV
 * targets in the additional section. A name it does not know answers NXDOMAIN; a name it knows without records of
 * the type asked answers NOERROR with an empty answer. {@link #fail(String, Fault)} and {@link #fail(Fault)} make
 * queries fail (an error code, or no answer at all); {@link #queries} counts what arrived.
 *
 * <p>Names are matched case-insensitively, with or without a trailing dot. All methods are thread-safe; a change is
 * seen by the next query that arrives. A malformed datagram is counted in {@link #malformed()} and otherwise ignored.
 */
public final class FakeDns implements AutoCloseable {
  /** How a query fails: with that response code, or ({@link #DROP}) with no answer at all. */
  public enum Fault { SERVFAIL, REFUSED, NXDOMAIN, DROP }

  /** One SRV record: RFC 2782's priority, weight, port and target host name. */
  public record Srv(int priority, int weight, int port, String target) {
    public Srv {
      checkShort("priority", priority);
      checkShort("weight", weight);
      checkShort("port", port);
      checkName(target);
    }
  }

  /** The records of one type under one name; values are {@code byte[]} (A, AAAA) or {@link Srv}. */
  private record RrSet(long ttl, List<?> values) {}

  private record QueryKey(String name, int type) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  /** Name (lower case, no trailing dot) to its record sets by type; each map is immutable and replaced whole. */
  private final ConcurrentHashMap<String, Map<DnsRecordType, RrSet>> zone = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Fault> faults = new ConcurrentHashMap<>();
  private volatile Fault allFault;
  private final ConcurrentHashMap<QueryKey, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();
  private final AtomicLong malformed = new AtomicLong();

  /** Binds to 127.0.0.1 on a free port. */
  public FakeDns() throws InterruptedException {
    this.channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<NioDatagramChannel>() {
          @Override
          protected void initChannel(NioDatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Responder());
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  /** Where to send queries. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Sets (replaces) the A records of {@code name}; none leaves the name existing with no A records. */
  public FakeDns a(String name, long ttlSeconds, String... ips) {
    return put(name, DnsRecordType.A, ttlSeconds, addresses(Inet4Address.class, ips));
  }

  /** Sets (replaces) the AAAA records of {@code name}; none leaves the name existing with no AAAA records. */
  public FakeDns aaaa(String name, long ttlSeconds, String... ips) {
    return put(name, DnsRecordType.AAAA, ttlSeconds, addresses(Inet6Address.class, ips));
  }

  /** Sets (replaces) the SRV records of {@code name}; none leaves the name existing with no SRV records. */
  public FakeDns srv(String name, long ttlSeconds, Srv... records) {
    for (Srv s : records) {
      Objects.requireNonNull(s, "record");
    }
    return put(name, DnsRecordType.SRV, ttlSeconds, List.of(records));
  }

  /** Forgets {@code name}: it answers NXDOMAIN for every type from now on. */
  public FakeDns remove(String name) {
    zone.remove(key(name));
    return this;
  }

  /** Makes every query for {@code name} (any type) fail as {@code fault}, until {@link #heal()}. */
  public FakeDns fail(String name, Fault fault) {
    faults.put(key(name), Objects.requireNonNull(fault, "fault"));
    return this;
  }

  /** Makes every query, for any name, fail as {@code fault}, until {@link #heal()}. */
  public FakeDns fail(Fault fault) {
    allFault = Objects.requireNonNull(fault, "fault");
    return this;
  }

  /** Clears all faults, per name and global. */
  public FakeDns heal() {
    allFault = null;
    faults.clear();
    return this;
  }

  /** Queries received for {@code name} and {@code type}, answered or not. */
  public int queries(String name, DnsRecordType type) {
    AtomicInteger n = counts.get(new QueryKey(key(name), type.intValue()));
    return n == null ? 0 : n.get();
  }

  /** All queries received (decoded ones, answered or not). */
  public int queries() {
    return total.get();
  }

  /** Datagrams that did not decode as a query, or asked no question; they get no answer. */
  public long malformed() {
    return malformed.get();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private FakeDns put(String name, DnsRecordType type, long ttlSeconds, List<?> values) {
    if (ttlSeconds < 0 || ttlSeconds > 0x7fffffffL) {
      throw new IllegalArgumentException("ttl out of range: " + ttlSeconds);
    }
    RrSet set = new RrSet(ttlSeconds, values);
    zone.compute(key(name), (k, old) -> {
      Map<DnsRecordType, RrSet> next = old == null ? new HashMap<>() : new HashMap<>(old);
      next.put(type, set);
      return Map.copyOf(next);
    });
    return this;
  }

  private static List<byte[]> addresses(Class<? extends InetAddress> kind, String... ips) {
    return Arrays.stream(ips).map(ip -> {
      if (!isLiteral(Objects.requireNonNull(ip, "ip"))) {
        throw new IllegalArgumentException("not an IP literal: " + ip);
      }
      InetAddress a;
      try {
        a = InetAddress.getByName(ip);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IP literal: " + ip, e);
      }
      if (!kind.isInstance(a)) {
        throw new IllegalArgumentException("not an " + kind.getSimpleName() + " literal: " + ip);
      }
      return a.getAddress();
    }).toList();
  }

  private static boolean isLiteral(String ip) {
    return ip.indexOf(':') >= 0 || ip.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  /** A host name that {@link #writeName} can write: ASCII labels of 1 to 63 bytes, 255 bytes in all. */
  private static void checkName(String name) {
    String n = key(Objects.requireNonNull(name, "name"));
    boolean badLabel = !n.isEmpty()
        && Arrays.stream(n.split("\\.", -1)).anyMatch(l -> l.isEmpty() || l.length() > 63);
    if (badLabel || n.length() > 253 || !StandardCharsets.US_ASCII.newEncoder().canEncode(n)) {
      throw new IllegalArgumentException("not a host name: " + name);
    }
  }

  private static void checkShort(String what, int v) {
    if (v < 0 || v > 0xffff) {
      throw new IllegalArgumentException(what + " out of range: " + v);
    }
  }

  /** Lower case, without the trailing dot. */
  private static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** {@code name} in DNS wire format, uncompressed labels ending with the root's empty one. */
  private static void writeName(ByteBuf out, String name) {
    String n = key(name);
    if (!n.isEmpty()) {
      for (String label : n.split("\\.", -1)) {
        byte[] b = label.getBytes(StandardCharsets.US_ASCII);
        out.writeByte(b.length).writeBytes(b);
      }
    }
    out.writeByte(0);
  }

  private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      if (query.count(DnsSection.QUESTION) < 1) {
        malformed.incrementAndGet();
        return;
      }
      DnsQuestion q = query.recordAt(DnsSection.QUESTION);
      String name = key(q.name());
      total.incrementAndGet();
      counts.computeIfAbsent(new QueryKey(name, q.type().intValue()), k -> new AtomicInteger()).incrementAndGet();

      Fault fault = allFault;
      if (fault == null) {
        fault = faults.get(name);
      }
      if (fault == Fault.DROP) {
        return;
      }
      DatagramDnsResponse r = new DatagramDnsResponse(query.recipient(), query.sender(), query.id(),
          DnsOpCode.QUERY, DnsResponseCode.NOERROR);
      r.setAuthoritativeAnswer(true).setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(false);
      r.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(q.name(), q.type(), q.dnsClass()));
      try {
        Map<DnsRecordType, RrSet> records = zone.get(name);
        if (fault != null) {
          r.setCode(switch (fault) {
            case SERVFAIL -> DnsResponseCode.SERVFAIL;
            case REFUSED -> DnsResponseCode.REFUSED;
            default -> DnsResponseCode.NXDOMAIN;
          });
        } else if (records == null) {
          r.setCode(DnsResponseCode.NXDOMAIN);
        } else {
          answer(ctx.alloc(), r, q, records.get(q.type()));
        }
      } catch (RuntimeException e) {
        r.release();
        throw e;
      }
      ctx.writeAndFlush(r);
    }

    private void answer(ByteBufAllocator alloc, DatagramDnsResponse r, DnsQuestion q, RrSet set) {
      if (set == null) {
        return;
      }
      for (Object v : set.values()) {
        if (v instanceof byte[] ip) {
          r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), q.type(), set.ttl(),
              alloc.buffer(ip.length).writeBytes(ip)));
        } else if (v instanceof Srv s) {
          ByteBuf content = alloc.buffer();
          DefaultDnsRawRecord rr = new DefaultDnsRawRecord(q.name(), DnsRecordType.SRV, set.ttl(), content);
          r.addRecord(DnsSection.ANSWER, rr);
          content.writeShort(s.priority()).writeShort(s.weight()).writeShort(s.port());
          writeName(content, s.target());
        }
      }
      if (q.type().equals(DnsRecordType.SRV)) {
        Set<String> targets = new LinkedHashSet<>();
        for (Object v : set.values()) {
          targets.add(key(((Srv) v).target()));
        }
        for (String target : targets) {
          Map<DnsRecordType, RrSet> known = zone.get(target);
          if (known == null) {
            continue;
          }
          for (DnsRecordType t : List.of(DnsRecordType.A, DnsRecordType.AAAA)) {
            RrSet addrs = known.get(t);
            if (addrs == null) {
              continue;
            }
            for (Object ip : addrs.values()) {
              byte[] b = (byte[]) ip;
              r.addRecord(DnsSection.ADDITIONAL, new DefaultDnsRawRecord(target + ".", t, addrs.ttl(),
                  alloc.buffer(b.length).writeBytes(b)));
            }
          }
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A datagram that did not decode (DecoderException from DatagramDnsQueryDecoder, which released it) or any
      // other surprise while answering: no answer, keep serving.
      malformed.incrementAndGet();
    }
  }
}
