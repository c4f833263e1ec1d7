package io.tandem.proxy.h1;

import io.netty.bootstrap.Bootstrap;
import io.netty.resolver.AddressResolverGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.tandem.util.Clock;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's idle HTTP/1.1 connections to backends, per backend address: no lock, no hand-off between
 * threads, because a request and every backend connection it uses live on the same loop (HAProxy's per-thread idle
 * lists, Envoy's per-worker connection pools).
 *
 * <pre>{@code
 * Channel ch = idle.take(backend.address());           // most recently used first, or null
 * if (ch == null) { idle.connect(address, 2000, handler).addListener(...); }
 * ...                                                  // a complete, clean exchange later:
 * idle.offer(address, ch);                             // kept for reuse, or closed when over the bound
 * }</pre>
 *
 * <p>A connection is offered back only after a complete, clean exchange (its caller knows; this class does not parse).
 * While idle, one read is pending on it, so a close by the backend is noticed; the channel's handler must treat bytes
 * that arrive while it is idle as an error and close it.
 * An idle connection is closed after {@code idleTimeout}, and forgotten at once when the backend closes it. At most
 * {@code maxIdlePerBackend} connections wait per backend; offering one more closes the oldest. Idle time-outs are
 * one sweep per loop (the oldest first, so a sweep touches only what expired), not a timer per connection: a
 * keep-alive connection is taken and offered back on every request. Confined to {@code loop}: every method must be
 * called on it.
 */
public final class BackendConnections {
  private static final AttributeKey<Idle> IDLE = AttributeKey.valueOf("tandem.idle");
  private static final AttributeKey<Boolean> CLOSE_WATCHED = AttributeKey.valueOf("tandem.idle.watched");
  private final EventLoop loop;
  private final Class<? extends Channel> channelType;
  private final int maxIdlePerBackend;
  private final long idleNanos;
  private final Clock clock;
  private final Map<SocketAddress, ArrayDeque<Idle>> idle = new HashMap<>();
  private int idleCount;
  private ScheduledFuture<?> sweep;
  private AddressResolverGroup<?> resolver;
  private boolean closed;

  /** An idle connection, where it goes and when it became idle. Identity matters: one per offer. */
  private static final class Idle {
    final Channel channel;
    final SocketAddress address;
    final long since;

    Idle(Channel channel, SocketAddress address, long since) {
      this.channel = channel;
      this.address = address;
      this.since = since;
    }
  }

  /**
   * @param channelType the socket channel class of the transport in use (the client connection's own class, so epoll,
   *                    io_uring and NIO all work)
   * @param clock       what idle times are measured with (a manual one in tests, which then call {@link #sweep()})
   */
  public BackendConnections(EventLoop loop, Class<? extends Channel> channelType, int maxIdlePerBackend,
      Duration idleTimeout, Clock clock) {
    this.clock = clock;
    this.loop = loop;
    this.channelType = channelType;
    this.maxIdlePerBackend = maxIdlePerBackend;
    this.idleNanos = Math.max(1, idleTimeout.toNanos());
  }

  /** Resolves unresolved addresses for {@link #connect} without blocking the loop (Netty's default would). */
  public BackendConnections resolver(AddressResolverGroup<?> resolver) {
    this.resolver = resolver;
    return this;
  }

  /** Connects a new backend channel on this loop with {@code handler} as its pipeline. */
  public ChannelFuture connect(SocketAddress address, int connectTimeoutMillis, ChannelHandler handler) {
    Bootstrap b = new Bootstrap();
    if (resolver != null) {
      b.resolver(resolver);
    }
    return b
        .group(loop)
        .channel(channelType)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, connectTimeoutMillis))
        .option(ChannelOption.AUTO_READ, false)
        .handler(handler)
        .connect(address);
  }

  /** The most recently used idle connection to {@code address} that is still open, or null. */
  public Channel take(SocketAddress address) {
    ArrayDeque<Idle> list = idle.get(address);
    while (list != null && !list.isEmpty()) {
      Idle i = list.pollLast();
      idleCount--;
      i.channel.attr(IDLE).set(null);
      if (i.channel.isActive()) {
        return i.channel;
      }
    }
    return null;
  }

  /**
   * Keeps {@code ch} for the next request to {@code address} (after a complete, clean exchange). A closed channel is
   * dropped; when the backend already has {@code maxIdlePerBackend} waiting, the oldest is closed.
   */
  public void offer(SocketAddress address, Channel ch) {
    if (!ch.isActive()) {
      return;
    }
    if (maxIdlePerBackend <= 0 || closed) {
      ch.close();
      return;
    }
    ArrayDeque<Idle> list = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
    if (list.size() >= maxIdlePerBackend) {
      drop(list.pollFirst());
    }
    Idle entry = new Idle(ch, address, clock.nanoTime());
    ch.attr(IDLE).set(entry);
    if (!ch.hasAttr(CLOSE_WATCHED)) {
      // Closed by the backend while idle: forget it at once. One listener per channel, however often it is reused.
      ch.attr(CLOSE_WATCHED).set(Boolean.TRUE);
      ch.closeFuture().addListener(f -> {
        Idle current = ch.attr(IDLE).getAndSet(null);
        if (current != null) {
          forget(current);
        }
      });
    }
    list.addLast(entry);
    idleCount++;
    // Auto-read is off on backend channels: ask for one read, so that a backend closing the idle connection is seen
    // at once (bytes arriving while idle are the channel handler's to refuse: a response nobody asked for).
    ch.read();
    if (sweep == null) {
      long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1), idleNanos / 4));
      sweep = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }
  }

  /** Closes the connections idle for longer than the idle time-out (each list is oldest first). */
  void sweep() {
    long now = clock.nanoTime();
    for (ArrayDeque<Idle> list : idle.values()) {
      while (!list.isEmpty() && now - list.peekFirst().since >= idleNanos) {
        drop(list.pollFirst());
      }
    }
  }

  private void drop(Idle i) {
    idleCount--;
    i.channel.attr(IDLE).set(null);
    i.channel.close();
  }

  private void forget(Idle entry) {
    ArrayDeque<Idle> list = idle.get(entry.address);
    if (list != null && list.remove(entry)) {
      idleCount--;
    }
  }

  /** Idle connections to {@code address} (for tests and the admin API). */
  public int idle(SocketAddress address) {
    ArrayDeque<Idle> list = idle.get(address);
    return list == null ? 0 : list.size();
  }

  /** Idle connections to every backend. */
  public int idleTotal() {
    return idleCount;
  }

  /** Closes every idle connection, and any offered later (the listener stops, or the pool's settings changed). */
  public void closeAll() {
    closed = true;
    for (ArrayDeque<Idle> list : idle.values()) {
      for (Idle i : list) {
        i.channel.attr(IDLE).set(null);
        i.channel.close();
      }
    }
    idle.clear();
    idleCount = 0;
    if (sweep != null) {
      sweep.cancel(false);
      sweep = null;
    }
  }
}
