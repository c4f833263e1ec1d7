package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tandem.config.ListenerConfig;
import io.tandem.config.ProxyProtocolAccept;
import io.tandem.proxy.h1.ParseResult;
import io.tandem.proxy.h1.RequestHead;
import io.tandem.proxy.h1.RequestHeadParser;
import io.tandem.proxy.tcp.ProxyProtocol;
import io.tandem.tls.TlsFacts;
import io.tandem.util.Outcome;
import io.vertx.core.net.impl.ShutdownEvent;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One client connection on Tandem's own HTTP/1.1 path: the channel handler that takes the place of Vert.x's HTTP
 * codec. It gathers the client's bytes, parses request heads in place ({@link RequestHeadParser}) and runs one
 * {@link Http1Exchange} at a time; bytes of pipelined requests wait in the input until the exchange before them has
 * answered, so answers go out in order. It answers the heads it refuses itself (400, 414, 431, 505) and closes.
 * After a {@code 101} the connection is a byte tunnel. Event-loop confined.
 *
 * <p>Ends of a connection: the client closes, an answer says {@code Connection: close}, the idle time-out between
 * requests or in a tunnel ({@link #idleNanos}) and a slow head ({@link ConnectionGuard}), both found by the listener's
 * sweep, or a graceful stop ({@link #drain}, or Vert.x's {@link ShutdownEvent} on a TLS listener): an idle
 * connection closes at once, a busy one after its answer.
 */
final class Http1Connection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LogManager.getLogger(Http1Connection.class);
  /** Input held while an exchange is in flight (pipelined requests) before reading from the client pauses. */
  private static final int MAX_HELD_INPUT = 64 * 1024;

  private final Http1Loop loop;
  private final ConnectionGuard guard;
  private final RequestHeadParser parser;
  private String clientIp;
  private int clientPort = -1;        // from a PROXY header; -1: the peer's
  /** Where the connection is with a PROXY header ({@code proxy-protocol.accept}). */
  private enum Proxy { UNCHECKED, HEADER_DUE, NONE_ALLOWED, DONE }

  private Proxy proxy = Proxy.UNCHECKED;
  private Channel channel;
  private TlsFacts tls;
  private ByteBuf in;
  private Http1Exchange current;
  private Consumer<ByteBuf> tunnel;
  private boolean draining;
  private boolean closing;
  private boolean paused;
  private long lastActivity;
  private boolean http3;

  Http1Connection(Http1Loop loop, ConnectionGuard guard, String clientIp) {
    this.loop = loop;
    this.guard = guard;
    this.lastActivity = loop.clock().nanoTime();
    this.clientIp = clientIp;
    ListenerConfig.Limits limits = loop.runtime().config().limits();
    // The request line is "METHOD SP URI SP VERSION": allow for method and version around the URI limit.
    this.parser = new RequestHeadParser(limits.maxUriLength() + 32, limits.maxHeaderSize(), Integer.MAX_VALUE,
        limits.underscoresInHeaders());
  }

  /** The peer address of {@code ch}, or {@code -}. */
  static String peer(Channel ch) {
    return ch.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
        ? a.getAddress().getHostAddress() : "-";
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    tls = TlsFacts.of(channel);
  }

  Channel channel() {
    return channel;
  }

  /** Whether this connection is an HTTP/3 request stream behind an {@link H3Stream} (no Alt-Svc to advertise). */
  boolean http3() {
    return http3;
  }

  /** Marks this connection as an HTTP/3 request stream's. */
  Http1Connection viaHttp3() {
    http3 = true;
    return this;
  }

  Http1Loop loop() {
    return loop;
  }

  String clientIp() {
    return clientIp;
  }

  /** The client's port (of the peer, or the one a trusted PROXY header named), or 0 when unknown. */
  int clientPort() {
    if (clientPort >= 0) {
      return clientPort;
    }
    return channel().remoteAddress() instanceof java.net.InetSocketAddress a ? a.getPort() : 0;
  }

  /** What the TLS handshake negotiated, or null on a plain connection. */
  TlsFacts tls() {
    return tls;
  }

  ConnectionGuard guard() {
    return guard;
  }

  /** Bytes went through a tunnel (either way): the connection is in use. */
  void touch() {
    lastActivity = loop.clock().nanoTime();
  }

  /**
   * How long the connection has been idle at {@code now}: no byte from the client between requests, or none either
   * way in a tunnel; 0 while an exchange is in flight (its own time-outs apply).
   */
  long idleNanos(long now) {
    return current != null && tunnel == null ? 0 : now - lastActivity;
  }

  /** Whether a graceful stop asked this connection to end after its current answer. */
  boolean draining() {
    return draining;
  }

  // ---- input ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    lastActivity = loop.clock().nanoTime();
    if (tunnel != null) {
      tunnel.accept(buf);
      return;
    }
    if (closing) {
      buf.release();
      return;
    }
    in = in == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, buf);
    guard.bytesArrived();
    process();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (current != null) {
      current.clientReadComplete();
    }
  }

  /**
   * A listener that accepts PROXY headers: a trusted sender's connection must start with one (v1 or v2), whose source
   * is the client from then on; any other sender's connection that starts with one is refused. False: not settled
   * yet (more bytes needed), or the connection is refused.
   */
  private boolean proxyHeaderRead() {
    ProxyProtocolAccept accept = loop.runtime().config().proxyProtocol();
    if (proxy == Proxy.UNCHECKED) {
      boolean trusted = channel.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
          && accept.trusts(a.getAddress());
      proxy = !accept.accept() ? Proxy.DONE : trusted ? Proxy.HEADER_DUE : Proxy.NONE_ALLOWED;
    }
    if (proxy == Proxy.NONE_ALLOWED) {
      ProxyProtocol.Signature sig = ProxyProtocol.signature(in);
      if (sig == ProxyProtocol.Signature.PRESENT) {
        refuseProxy(Outcome.PROXY_HEADER_UNTRUSTED, "a PROXY header from an address not trusted to send one");
        return false;
      }
      if (sig == ProxyProtocol.Signature.UNDECIDED) {
        return false;
      }
      proxy = Proxy.DONE;
    }
    if (proxy == Proxy.HEADER_DUE) {
      ProxyProtocol.Result r = ProxyProtocol.parse(in);
      switch (r.status()) {
        case INCOMPLETE -> {
          return false;
        }
        case VALID -> {
          proxy = Proxy.DONE;
          in.skipBytes(r.length());
          if (!r.header().local()) {
            clientIp = r.header().source().getAddress().getHostAddress();
            clientPort = r.header().source().getPort();
          }
        }
        case INVALID -> {
          refuseProxy(Outcome.PROXY_HEADER_INVALID, r.problem());
          return false;
        }
        default -> {
          refuseProxy(Outcome.PROXY_HEADER_INVALID, "no PROXY header from a trusted address");
          return false;
        }
      }
    }
    return true;
  }

  private void refuseProxy(Outcome outcome, String why) {
    LOG.debug("refused connection from {} on {}: {}", clientIp, loop.runtime().name(), why);
    loop.runtime().record(outcome);
    closing = true;
    channel.close();
  }

  /** Feeds the input to the exchange in flight, or parses the next head when there is none. */
  private void process() {
    if (proxy != Proxy.DONE && in != null && (!proxyHeaderRead() || closing)) {
      releaseConsumedInput();
      return;
    }
    while (in != null && !closing && tunnel == null) {
      if (current != null) {
        current.input(in);
        if (current != null) {
          if (tunnel == null && in != null && in.readableBytes() > MAX_HELD_INPUT && current.bodyDone()) {
            pauseReading(true);
          }
          break;
        }
        continue;
      }
      if (!in.isReadable()) {
        break;
      }
      ParseResult<RequestHead> r = parser.parse(in);
      if (r.needMore()) {
        break;
      }
      if (r.head() == null) {
        refuseHead(r.status(), r.reason());
        break;
      }
      guard.headReceived();
      current = new Http1Exchange(this, r.head());
      current.start();
    }
    releaseConsumedInput();
  }

  private void releaseConsumedInput() {
    if (in != null && !in.isReadable()) {
      in.release();
      in = null;
    } else if (in != null && current == null && in.readerIndex() > 0 && in.refCnt() == 1) {
      // Only when no head or body slice still points into it: discarding moves the bytes.
      in.discardSomeReadBytes();
    }
  }

  /** An ill-formed head: its status, then the connection closes (nothing after it can be trusted). */
  private void refuseHead(int status, String reason) {
    Outcome outcome = switch (status) {
      case 414 -> Outcome.URI_TOO_LONG;
      case 431 -> Outcome.HEADERS_TOO_LARGE;
      case 505 -> Outcome.VERSION_NOT_SUPPORTED;
      default -> Outcome.BAD_REQUEST;
    };
    ListenerRuntime runtime = loop.runtime();
    runtime.record(outcome);
    LOG.debug("invalid request from {} on {}: {}", clientIp, runtime.name(), reason);
    if (runtime.accessLog()) {
      AccessLog.log(runtime.name(), clientIp, "-", "-", outcome.status(), outcome, null, null, 0, null, 0, tls);
    }
    closing = true;
    channel.writeAndFlush(OwnAnswers.bytes(channel.alloc(), outcome, null, true))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** Stops or resumes reading from the client (back-pressure towards a backend, or input held for later). */
  void pauseReading(boolean pause) {
    if (paused != pause) {
      paused = pause;
      channel.config().setAutoRead(!pause);
    }
  }

  // ---- what the exchange reports ----

  /**
   * The exchange in flight is over. {@code keepAlive}: its answer was complete and the connection may carry the next
   * request (then pipelined input is parsed); otherwise the connection closes once the answer is written.
   */
  void exchangeEnded(boolean keepAlive) {
    current = null;
    if (!keepAlive || draining || closing) {
      closeAfterWrites();
      return;
    }
    guard.awaitNextHead();
    pauseReading(false);
    if (in != null) {
      channel.eventLoop().execute(this::process);
    }
  }

  /** Hands the input held so far to the exchange in flight (its backend connection is ready), from the loop. */
  void feed() {
    channel.eventLoop().execute(() -> {
      process();
      if (current != null) {
        current.clientReadComplete();   // as after a read: what went to the backend is flushed
      }
    });
  }

  /** Turns the connection into a byte tunnel to {@code sink}; input already read goes first. */
  void tunnel(Consumer<ByteBuf> sink) {
    tunnel = sink;
    guard.headReceived();
    ByteBuf rest = in;
    in = null;
    Http1Upstream.handOver(rest, sink);
  }

  /** Writes what is queued, then closes. */
  void closeAfterWrites() {
    closing = true;
    if (channel.isActive()) {
      channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  // ---- connection events ----

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null) {
      current.clientWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ShutdownEvent) {
      drain();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** A graceful stop: an idle connection closes now, a busy one after its answer. */
  void drain() {
    draining = true;
    if (current == null && !closing) {
      closing = true;
      channel.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    if (current != null) {
      Http1Exchange ex = current;
      current = null;
      ex.clientGone();
    }
    if (in != null) {
      in.release();
      in = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("client connection {} on {}: {}", clientIp, loop.runtime().name(), cause.toString());
    ctx.close();
  }
}
