package io.tandem.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.tandem.config.DiscoverConfig;
import io.tandem.config.DnsConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Asks name servers for the A, AAAA and SRV records that discovery follows, without blocking: Netty's resolver on one
 * event loop, without caches (each ask goes to the server, whose answer and TTL are the truth) and without search
 * domains (names are asked as written, fully qualified: a Kubernetes service is {@code svc.ns.svc.cluster.local}).
 *
 * <pre>{@code
 * DnsLookup dns = DnsLookup.create(config.dns(), loop, transport::datagramChannel);
 * dns.lookup(DiscoverConfig.Type.ANY, "web.tandem.test", 8080)
 *    .thenAccept(answer -> answer.endpoints().forEach(e -> log.info("{}", e.id())));
 * }</pre>
 */
public final class DnsLookup implements AutoCloseable {
  /** An SRV answer's targets are asked for at most this many at once. */
  private static final int MAX_SRV_TARGETS = 64;

  private final DnsNameResolver resolver;

  private DnsLookup(DnsNameResolver resolver) {
    this.resolver = resolver;
  }

  /**
   * @param loop     the event loop the resolver's socket runs on
   * @param channels makes its UDP socket, of the event loop's transport
   */
  public static DnsLookup create(DnsConfig config, EventLoop loop, Supplier<? extends DatagramChannel> channels) {
    DnsServerAddressStreamProvider servers = config.resolvers().isEmpty()
        ? DnsServerAddressStreamProviders.platformDefault()
        : new SequentialDnsServerAddressStreamProvider(config.resolvers());
    DnsNameResolver resolver = new DnsNameResolverBuilder(loop)
        .datagramChannelFactory(channels::get)
        .resolveCache(NoopDnsCache.INSTANCE)
        .cnameCache(NoopDnsCnameCache.INSTANCE)
        .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
        .nameServerProvider(servers)
        .queryTimeoutMillis(Math.max(1, config.timeout().toMillis()))
        .searchDomains(List.of())
        .ndots(1)
        .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
        .decodeIdn(false)
        .build();
    return new DnsLookup(resolver);
  }

  /** One address a name gave, with what its record said. */
  public record Endpoint(String host, int port, int weight, int priority) {
    /** The backend id: {@code 10.0.0.7:8080}, {@code [fd00::7]:8080}. */
    public String id() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * What a name gave.
   *
   * @param endpoints  the addresses, sorted by id, without duplicates (an address in two SRV records keeps the first)
   * @param ttlSeconds the lowest TTL of the records used; -1 when the answer had none
   */
  public record Answer(List<Endpoint> endpoints, long ttlSeconds) {
    public Answer {
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * Resolves an entry: for an address name, one endpoint per A/AAAA record on {@code port} with weight 1; for an SRV
   * name, one per address of each target, with the record's port, weight and priority. Fails when the server says
   * the name does not exist or cannot answer; an existing name without records completes with no endpoints.
   */
  public CompletionStage<Answer> lookup(DiscoverConfig.Type type, String name, int port) {
    return switch (type) {
      case IPV4 -> addresses(name, port, 1, 0, List.of(DnsRecordType.A));
      case IPV6 -> addresses(name, port, 1, 0, List.of(DnsRecordType.AAAA));
      case ANY -> addresses(name, port, 1, 0, List.of(DnsRecordType.A, DnsRecordType.AAAA));
      case SRV -> srv(name);
    };
  }

  /** The addresses of a name (A and AAAA, for {@code cluster.discovery: dns}) on {@code port}. */
  public CompletionStage<Answer> addresses(String name, int port) {
    return lookup(DiscoverConfig.Type.ANY, name, port);
  }

  private CompletionStage<Answer> addresses(String name, int port, int weight, int priority,
      List<DnsRecordType> types) {
    List<CompletableFuture<List<DnsRecord>>> asks = new ArrayList<>();
    for (DnsRecordType t : types) {
      asks.add(ask(name, t));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).handle((ok, error) -> {
      List<Endpoint> endpoints = new ArrayList<>();
      long ttl = -1;
      Throwable failure = null;
      int answered = 0;
      for (CompletableFuture<List<DnsRecord>> ask : asks) {
        List<DnsRecord> records;
        try {
          records = ask.join();
        } catch (RuntimeException e) {
          failure = failure == null ? e.getCause() != null ? e.getCause() : e : failure;
          continue;
        }
        answered++;
        for (DnsRecord r : records) {
          String ip = address(r);
          if (ip != null) {
            endpoints.add(new Endpoint(ip, port, weight, priority));
            ttl = ttl < 0 ? r.timeToLive() : Math.min(ttl, r.timeToLive());
          }
        }
      }
      release(asks);
      // Of A and AAAA, one failing is fine when the other answered; both failing is a failure.
      if (answered == 0 && failure != null) {
        throw new java.util.concurrent.CompletionException(failure);
      }
      return new Answer(sorted(endpoints), ttl);
    });
  }

  private CompletionStage<Answer> srv(String name) {
    return ask(name, DnsRecordType.SRV).thenCompose(records -> {
      List<Srv> targets = new ArrayList<>();
      long ttl = -1;
      try {
        for (DnsRecord r : records) {
          Srv srv = srv(r);
          if (srv != null && targets.size() < MAX_SRV_TARGETS) {
            targets.add(srv);
            ttl = ttl < 0 ? r.timeToLive() : Math.min(ttl, r.timeToLive());
          }
        }
      } finally {
        records.forEach(ReferenceCountUtil::release);
      }
      long srvTtl = ttl;
      List<CompletableFuture<Answer>> resolved = new ArrayList<>();
      for (Srv t : targets) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(t.target);
        resolved.add(literal != null
            ? CompletableFuture.completedFuture(new Answer(List.of(new Endpoint(t.target, t.port, t.weight,
                t.priority)), -1))
            : addresses(t.target, t.port, t.weight, t.priority, List.of(DnsRecordType.A, DnsRecordType.AAAA))
                .toCompletableFuture());
      }
      return CompletableFuture.allOf(resolved.toArray(CompletableFuture[]::new)).handle((ok, error) -> {
        List<Endpoint> endpoints = new ArrayList<>();
        long min = srvTtl;
        Throwable failure = null;
        for (CompletableFuture<Answer> f : resolved) {
          Answer a;
          try {
            a = f.join();
          } catch (RuntimeException e) {
            failure = e.getCause() != null ? e.getCause() : e;
            continue;
          }
          endpoints.addAll(a.endpoints());
          if (a.ttlSeconds() >= 0) {
            min = min < 0 ? a.ttlSeconds() : Math.min(min, a.ttlSeconds());
          }
        }
        // A target that cannot be resolved fails the whole answer: publishing the rest would drain its backends
        // because of a resolver's hiccup. The last good set stays instead.
        if (failure != null) {
          throw new java.util.concurrent.CompletionException(failure);
        }
        return new Answer(sorted(endpoints), min);
      });
    });
  }

  private record Srv(int priority, int weight, int port, String target) {}

  /** An SRV record's fields, or null for another record. */
  private static Srv srv(DnsRecord r) {
    if (!DnsRecordType.SRV.equals(r.type()) || !(r instanceof DnsRawRecord raw)) {
      return null;
    }
    ByteBuf content = raw.content().duplicate();
    if (content.readableBytes() < 7) {
      return null;
    }
    int priority = content.readUnsignedShort();
    int weight = content.readUnsignedShort();
    int port = content.readUnsignedShort();
    String target = DefaultDnsRecordDecoder.decodeName(content);
    target = target.endsWith(".") ? target.substring(0, target.length() - 1) : target;
    if (port == 0 || target.isEmpty()) {
      return null;   // "." as target: the service is decidedly not available (RFC 2782)
    }
    return new Srv(priority, weight, port, target.toLowerCase(Locale.ROOT));
  }

  /** An A or AAAA record's address as text, or null for another record. */
  private static String address(DnsRecord r) {
    if (!(r instanceof DnsRawRecord raw)) {
      return null;
    }
    ByteBuf content = raw.content();
    int length = content.readableBytes();
    if ((DnsRecordType.A.equals(r.type()) && length == 4) || (DnsRecordType.AAAA.equals(r.type()) && length == 16)) {
      byte[] bytes = new byte[length];
      content.getBytes(content.readerIndex(), bytes);
      try {
        return NetUtil.toAddressString(InetAddress.getByAddress(bytes));
      } catch (UnknownHostException e) {
        return null;   // cannot happen: the length was checked
      }
    }
    return null;
  }

  private static List<Endpoint> sorted(List<Endpoint> endpoints) {
    java.util.Map<String, Endpoint> byId = new java.util.LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      byId.putIfAbsent(e.id(), e);
    }
    List<Endpoint> list = new ArrayList<>(byId.values());
    list.sort(Comparator.comparing(Endpoint::id));
    return list;
  }

  private CompletableFuture<List<DnsRecord>> ask(String name, DnsRecordType type) {
    CompletableFuture<List<DnsRecord>> result = new CompletableFuture<>();
    String fqdn = name.endsWith(".") ? name : name + ".";
    resolver.resolveAll(new DefaultDnsQuestion(fqdn, type)).addListener(f -> {
      if (f.isSuccess()) {
        @SuppressWarnings("unchecked")
        List<DnsRecord> records = (List<DnsRecord>) f.getNow();
        result.complete(records);
      } else if (noRecords(f.cause())) {
        result.complete(List.of());   // the name exists without records of this type: an empty answer
      } else {
        result.completeExceptionally(f.cause());
      }
    });
    return result;
  }

  private static void release(List<CompletableFuture<List<DnsRecord>>> asks) {
    for (CompletableFuture<List<DnsRecord>> ask : asks) {
      if (!ask.isCompletedExceptionally()) {
        ask.join().forEach(ReferenceCountUtil::release);
      }
    }
  }

  /**
   * Whether a failed ask only means that the name has no records of the type: Netty's resolver fails an answer
   * without records (NOERROR, no data) with a bare {@link UnknownHostException}, where NXDOMAIN, SERVFAIL and
   * time-outs carry a cause. (A REFUSED answer looks the same; either way the last good set stays.)
   */
  static boolean noRecords(Throwable error) {
    Throwable t = unwrap(error);
    return t instanceof UnknownHostException && t.getCause() == null;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent
        .ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Short text for logs and the admin API: {@code Failed to resolve 'web.example.' [A(1)]: Query failed with
   * NXDOMAIN}, without the wrappers around it.
   */
  public static String describe(Throwable error) {
    Throwable t = unwrap(error);
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    Throwable cause = t.getCause();
    String text = cause == null || cause.getMessage() == null ? message : message + ": " + cause.getMessage();
    return text.replace(" (no stack trace available)", "");
  }

  @Override
  public void close() {
    resolver.close();
  }
}
