package io.tandem.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.tandem.config.BackendTlsConfig;
import io.tandem.config.PoolConfig;
import io.tandem.proxy.h1.BackendConnections;
import io.tandem.proxy.h2.H2Connections;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * What the connections of one HTTP listener share on one event loop: the loop as an executor, the scheduler and
 * clock for timers, the resolver for backend names, and per pool the idle backend connections
 * ({@link BackendConnections}).
 * Confined to the loop, so nothing here needs a lock.
 */
final class Http1Loop {
  private final ListenerRuntime runtime;
  private final Executor executor;
  private final Scheduler scheduler;
  private final Clock clock;
  private final AddressResolverGroup<?> resolver;
  private final Map<String, Pooled> pools = new HashMap<>();
  private final Map<String, H2Pooled> h2 = new HashMap<>();

  /** A pool's idle connections and the settings they were made with (a reload that changes them starts afresh). */
  private record Pooled(int maxIdle, long idleMillis, BackendConnections connections) {}

  /** A pool's HTTP/2 connections and what they were made with. */
  private record H2Pooled(PoolConfig.Http2 settings, PoolConfig.Timeouts timeouts, BackendTlsConfig tls,
      SslContext ssl, H2Connections connections) {
    boolean matches(PoolConfig pool, SslContext current) {
      return settings.equals(pool.http2()) && timeouts.equals(pool.timeouts())
          && java.util.Objects.equals(tls, pool.tls()) && ssl == current;
    }
  }

  Http1Loop(ListenerRuntime runtime, Executor executor, Scheduler scheduler, Clock clock,
      AddressResolverGroup<?> resolver) {
    this.runtime = runtime;
    this.executor = executor;
    this.scheduler = scheduler;
    this.clock = clock;
    this.resolver = resolver;
  }

  ListenerRuntime runtime() {
    return runtime;
  }

  Executor executor() {
    return executor;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  /** The monotonic clock of connection idleness and slow heads (a test's manual one, or the system's). */
  Clock clock() {
    return clock;
  }

  /**
   * The idle connections of {@code pool} on {@code client}'s loop; new backend channels get the client channel's
   * class, so whatever transport accepted the client (epoll, io_uring, NIO) carries the backend side too.
   */
  BackendConnections connections(PoolConfig pool, Channel client) {
    int maxIdle = Math.max(1, pool.connectionPoolSize());
    long idleMillis = pool.timeouts().idle().toMillis();
    Pooled p = pools.get(pool.name());
    if (p == null || p.maxIdle != maxIdle || p.idleMillis != idleMillis) {
      if (p != null) {
        p.connections.closeAll();
      }
      EventLoop loop = client.eventLoop();
      BackendConnections c = new BackendConnections(loop, socketType(client), maxIdle, pool.timeouts().idle(),
          Clock.SYSTEM).resolver(resolver);
      p = new Pooled(maxIdle, idleMillis, c);
      pools.put(pool.name(), p);
    }
    return p.connections;
  }

  /**
   * The HTTP/2 connections of {@code pool} on {@code client}'s loop (an {@code h2} or {@code h2c} pool); a reload that
   * changes the pool's connection settings starts afresh (the old connections close, their streams end).
   */
  H2Connections h2(PoolConfig pool, Channel client, SslContext ssl) {
    H2Pooled p = h2.get(pool.name());
    if (p == null || !p.matches(pool, ssl)) {
      if (p != null) {
        p.connections.drain();   // streams in flight (long gRPC calls) finish on the old connections
      }
      BackendConnections dialer = connections(pool, client);
      p = new H2Pooled(pool.http2(), pool.timeouts(), pool.tls(), ssl,
          new H2Connections(dialer::connect, pool, ssl));
      h2.put(pool.name(), p);
    }
    return p.connections;
  }

  /**
   * The socket channel class for backend connections of {@code client}: its own class for a TCP client; for an
   * HTTP/3 request stream, the TCP sibling of its UDP socket's class (IoUringDatagramChannel: IoUringSocketChannel,
   * and so for epoll and NIO), so the backend side runs on the same transport.
   */
  static Class<? extends io.netty.channel.Channel> socketType(io.netty.channel.Channel client) {
    if (!(client instanceof io.netty.handler.codec.quic.QuicStreamChannel stream)) {
      return client.getClass();
    }
    Class<?> udp = stream.parent().parent().getClass();
    return SOCKET_TYPES.computeIfAbsent(udp, c -> {
      try {
        return Class.forName(c.getName().replace("DatagramChannel", "SocketChannel"), true, c.getClassLoader())
            .asSubclass(io.netty.channel.Channel.class);
      } catch (ClassNotFoundException e) {
        return io.netty.channel.socket.nio.NioSocketChannel.class;
      }
    });
  }

  private static final java.util.Map<Class<?>, Class<? extends io.netty.channel.Channel>> SOCKET_TYPES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Closes every idle backend connection and every HTTP/2 one (the listener stops on this loop). */
  void close() {
    pools.values().forEach(p -> p.connections.closeAll());
    pools.clear();
    h2.values().forEach(p -> p.connections.closeAll());
    h2.clear();
  }
}
