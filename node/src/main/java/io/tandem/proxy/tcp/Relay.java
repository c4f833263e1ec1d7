package io.tandem.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The Netty handler of one side (client or backend) of a TCP connection, placed just before Vert.x's own handler so
 * that bytes never go through Vert.x's buffers and queues: every event is handed to the connection's current owner
 * ({@link Events}), which changes from the connection set-up to the {@link Splice}. Channel closure still reaches
 * Vert.x, which keeps tracking the connection (server shutdown, drain). Half-closure is enabled on the channel, so a
 * FIN from the peer arrives as {@link Events#inputShutdown} rather than as a close.
 */
final class Relay extends ChannelInboundHandlerAdapter {
  static final String NAME = "tandem-relay";

  /** What the owner of a connection phase does with the events of its channels. All run on the event loop. */
  interface Events {
    void read(Relay from, ByteBuf data);

    void readComplete(Relay from);

    void inputShutdown(Relay from);

    void writable(Relay from);

    void closed(Relay from);

    void idle(Relay from);
  }

  final Channel channel;
  Events events;
  /** The first exception seen on the channel, for the log; null when it closed without one. */
  Throwable cause;

  private Relay(Channel channel, Events events) {
    this.channel = channel;
    this.events = events;
  }

  /** Installs a relay on {@code channel} (before Vert.x's handler) and enables half-closure. */
  static Relay install(Channel channel, Events events) {
    channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    Relay relay = new Relay(channel, events);
    ChannelPipeline p = channel.pipeline();
    if (p.get("handler") != null) {
      p.addBefore("handler", NAME, relay);
    } else {
      p.addLast(NAME, relay);
    }
    return relay;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      events.read(this, buf);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    events.readComplete(this);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      events.inputShutdown(this);
    } else if (evt instanceof IdleStateEvent) {
      events.idle(this);
    } else if (!(evt instanceof ChannelInputShutdownReadComplete || evt instanceof ChannelOutputShutdownEvent)) {
      ctx.fireUserEventTriggered(evt);   // e.g. Vert.x's shutdown event when the listener stops
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    events.writable(this);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    events.closed(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
    if (cause == null) {
      cause = t;
    }
    ctx.close();
  }
}
