package io.tandem.proxy.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One HTTP/2 connection to a backend, at the end of its pipeline (after Netty's frame codec and multiplexer): how
 * many streams it carries and may carry (the backend's {@code SETTINGS_MAX_CONCURRENT_STREAMS}), whether it is going
 * away (a GOAWAY was received: its streams finish, no new one starts, it closes when the last ends), and its PING
 * keep-alive: with streams open and nothing heard for the ping interval, a PING goes out, and one unanswered for the
 * ping timeout closes the connection. Idle connections (no stream) close after the pool's idle time-out.
 * Owned by its {@link H2Connections}; event-loop confined.
 */
final class H2Connection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LogManager.getLogger(H2Connection.class);
  /** Streams assumed before the backend's SETTINGS say (RFC 9113 recommends no fewer than 100). */
  static final int ASSUMED_STREAMS = 100;
  /** Streams per connection whatever the backend allows: a bound on one connection's share of the loop. */
  static final int MAX_STREAMS = 1000;
  /** The receive window of the connection as a whole, beyond the protocol's 65535. */
  static final int CONNECTION_WINDOW = 8 * 1024 * 1024;

  private final H2Connections owner;
  private final long pingIntervalNanos;
  private final long pingTimeoutNanos;
  private final long idleNanos;
  private Channel channel;
  private boolean transport;
  private boolean settingsSeen;
  private boolean ready;
  private boolean goingAway;
  private int limit = ASSUMED_STREAMS;
  private int active;
  private long streamsOpened;
  private long idleSince = System.nanoTime();
  private long lastRead = System.nanoTime();
  private long pingSent;   // nanoTime of the outstanding PING, 0: none
  private ScheduledFuture<?> tick;

  H2Connection(H2Connections owner, long pingIntervalNanos, long pingTimeoutNanos, long idleNanos) {
    this.owner = owner;
    this.pingIntervalNanos = pingIntervalNanos;
    this.pingTimeoutNanos = pingTimeoutNanos;
    this.idleNanos = idleNanos;
  }

  void attach(Channel ch) {
    this.channel = ch;
  }

  Channel channel() {
    return channel;
  }

  /**
   * The transport is up (TCP, TLS with h2 chosen): the backend's SETTINGS are read, and once they are here (the first
   * frame a server sends) streams may be opened within its limit.
   */
  void transportUp() {
    transport = true;
    channel.config().setAutoRead(true);
    channel.read();
    if (settingsSeen) {
      ready();
      owner.ready(this);
    }
  }

  private void ready() {
    ready = true;
    // The protocol's 65535-byte connection window would hold a fast backend back: open it once.
    channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65535));
    // One check a second at most, finer when the time-outs are shorter (never below 50 ms).
    long period = Math.min(TimeUnit.SECONDS.toNanos(1), idleNanos / 2);
    if (pingIntervalNanos > 0) {
      period = Math.min(period, Math.min(pingIntervalNanos, pingTimeoutNanos) / 2);
    }
    period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), period);
    tick = channel.eventLoop().scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
  }

  boolean isReady() {
    return ready;
  }

  /** Streams it can take now (0 when going away or closed); before it is ready, what it is assumed to take. */
  int spare() {
    if (goingAway || channel == null || (ready && !channel.isActive())) {
      return 0;
    }
    return Math.max(0, limit - active);
  }

  int active() {
    return active;
  }

  /** Whether streams were opened on it before the latest one. */
  boolean reused() {
    return streamsOpened > 1;
  }

  /** Opens a stream for {@code owner}; {@code done} gets it, or the failure. Only when {@link #spare()} > 0. */
  void open(H2Stream.Owner streamOwner, BiConsumer<H2Stream, Throwable> done) {
    H2Stream stream = new H2Stream(this, streamOwner);
    active++;
    streamsOpened++;
    new Http2StreamChannelBootstrap(channel).handler(stream).open().addListener((Future<Http2StreamChannel> f) -> {
      if (f.isSuccess()) {
        Http2StreamChannel sc = f.getNow();
        stream.bind(sc);
        done.accept(stream, null);
      } else {
        active--;
        // Stream ids run out after about a billion streams: this connection is done, the next goes elsewhere.
        goingAway = true;
        done.accept(null, f.cause());
        owner.changed(this);
      }
    });
  }

  /** No new stream; closes now when idle, else when its last stream ends. */
  void retire() {
    goingAway = true;
    if (active == 0 && channel != null) {
      channel.close();
    }
  }

  void streamClosed(H2Stream s) {
    active--;
    if (active == 0) {
      idleSince = System.nanoTime();
      if (goingAway) {
        channel.close();
        return;
      }
    }
    owner.changed(this);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2SettingsFrame s) {
        Long max = s.settings().maxConcurrentStreams();
        limit = max == null ? MAX_STREAMS : (int) Math.min(MAX_STREAMS, max);
        if (!settingsSeen) {
          settingsSeen = true;
          if (transport) {
            ready();
            owner.ready(this);
            return;
          }
        }
        owner.changed(this);
      } else if (msg instanceof Http2GoAwayFrame g) {
        LOG.debug("backend {} sent GOAWAY ({}), last stream {}", ctx.channel().remoteAddress(), g.errorCode(),
            g.lastStreamId());
        goingAway = true;
        if (active == 0) {
          ctx.close();
        }
        owner.wentAway(this);
      } else if (msg instanceof Http2PingFrame p && p.ack()) {
        pingSent = 0;
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void tick() {
    long now = System.nanoTime();
    if (!channel.isActive()) {
      return;
    }
    if (active == 0 && now - idleSince >= idleNanos) {
      LOG.debug("closing idle HTTP/2 connection to {}", channel.remoteAddress());
      goingAway = true;
      channel.close();
      return;
    }
    if (pingIntervalNanos <= 0) {
      return;
    }
    if (pingSent != 0) {
      if (now - pingSent >= pingTimeoutNanos) {
        LOG.warn("HTTP/2 backend {} answered no PING within {} ms: closing its connection ({} streams)",
            channel.remoteAddress(), TimeUnit.NANOSECONDS.toMillis(pingTimeoutNanos), active);
        goingAway = true;
        channel.close();
      }
    } else if (active > 0 && now - lastRead >= pingIntervalNanos) {
      pingSent = now;
      channel.writeAndFlush(new DefaultHttp2PingFrame(now));
    }
  }

  /** Notes when the backend was last heard from (every frame, streams' too); sits before the frame codec. */
  final class Heard extends ChannelInboundHandlerAdapter {
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      lastRead = System.nanoTime();
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    goingAway = true;
    if (tick != null) {
      tick.cancel(false);
    }
    owner.closed(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("HTTP/2 backend connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
