package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tandem.proxy.h1.BackendConnections;
import io.tandem.proxy.h1.ChunkedFramer;
import io.tandem.proxy.h1.LengthFramer;
import io.tandem.proxy.h1.ParseResult;
import io.tandem.proxy.h1.ResponseHead;
import io.tandem.proxy.h1.ResponseHeadParser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * One connection to an HTTP/1.1 backend on Tandem's own path: the channel handler that parses response heads in
 * place ({@link ResponseHeadParser}), finds where each body ends (length, chunked, close-delimited, none) and hands
 * head and body slices to the {@link Owner} in flight, unchanged. Between exchanges the connection waits in its
 * loop's {@link BackendConnections}; a byte that arrives then is a response nobody asked for, and closes it.
 * Event-loop confined (the client's loop).
 */
final class Http1Upstream extends ChannelInboundHandlerAdapter implements Upstream {
  /** What the exchange in flight hears from its backend connection. */
  interface Owner {
    /** An interim response (1xx other than 101); the final one follows. The owner releases the head. */
    void interim(ResponseHead head);

    /** The protocol switch was accepted (101). Bytes after it arrive through {@link #tunnel}. */
    void switched(ResponseHead head);

    /** The final response head. False: hold the body until the owner calls {@link #resume()}. */
    boolean responseHead(ResponseHead head);

    /** A slice of the response body (the owner releases it). */
    void responseBody(ByteBuf slice);

    /** The response ended; {@code reusable}: the connection may carry the next request. */
    void responseEnded(boolean reusable);

    /** The response could not be read (ill-formed, or the connection closed before its end). */
    void upstreamFailed(Throwable cause, boolean anyResponseByte);

    /** The client may be written to again after {@link #responseBody} filled its buffer. */
    void backendWritabilityChanged(boolean writable);

    /** A read from the backend completed: time to flush what was written to the client. */
    void backendReadComplete();

    /** The backend closed a tunnel. */
    void tunnelClosed();
  }

  private enum State { IDLE, HEAD, BODY, HELD, TUNNEL, FAILED }

  private final BackendConnections pool;
  private final InetSocketAddress address;
  private final ResponseHeadParser parser = new ResponseHeadParser(16 * 1024, 64 * 1024, 1000);
  private Channel channel;
  private Owner owner;
  private boolean headRequest;
  private State state = State.IDLE;
  private ByteBuf in;
  private ResponseHead.Body body;
  private LengthFramer length;
  private final ChunkedFramer chunked = new ChunkedFramer();
  private boolean reusable;
  private boolean anyByte;
  private Consumer<ByteBuf> tunnel;
  private boolean reused;

  Http1Upstream(BackendConnections pool, InetSocketAddress address) {
    this.pool = pool;
    this.address = address;
  }

  /** The handler of a channel taken from the idle connections. */
  static Http1Upstream of(Channel ch) {
    return ch.pipeline().get(Http1Upstream.class);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public Channel channel() {
    return channel;
  }

  /** Whether this connection carried an exchange before (a failure before any byte may then be a stale close). */
  @Override
  public boolean reused() {
    return reused;
  }

  /** Starts an exchange on this connection; {@code headRequest}: the response has no body whatever it says. */
  @Override
  public void begin(Owner o, boolean isHead) {
    owner = o;
    headRequest = isHead;
    state = State.HEAD;
    anyByte = false;
    channel.config().setAutoRead(true);
  }

  @Override
  public void write(ByteBuf buf) {
    channel.write(buf, channel.voidPromise());
  }

  @Override
  public void writeAndFlush(ByteBuf buf) {
    channel.writeAndFlush(buf, channel.voidPromise());
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public boolean writable() {
    return channel.isWritable();
  }

  /** Stops or resumes reading the response (back-pressure from the client). */
  @Override
  public void pauseReading(boolean pause) {
    if (state != State.IDLE && channel.isActive()) {
      channel.config().setAutoRead(!pause);
    }
  }

  /** The owner took the held response head in: the body may follow. */
  @Override
  public void resume() {
    if (state == State.HELD) {
      state = State.BODY;
      channel.config().setAutoRead(true);
      process();
    }
  }

  /** From now on every byte from the backend goes to {@code sink} (after a 101); bytes already read go first. */
  @Override
  public void tunnel(Consumer<ByteBuf> sink) {
    tunnel = sink;
    state = State.TUNNEL;
    ByteBuf rest = in;
    in = null;
    handOver(rest, sink);
  }

  /** Gives input read before a tunnel started ({@code rest}, may be null) to the tunnel's {@code sink}. */
  static void handOver(ByteBuf rest, Consumer<ByteBuf> sink) {
    if (rest == null) {
      return;
    }
    if (rest.isReadable()) {
      sink.accept(rest);
    } else {
      rest.release();
    }
  }

  /** The exchange ended without a clean response: the connection is closed, never reused. */
  @Override
  public void discard() {
    owner = null;
    state = State.FAILED;
    if (channel != null) {
      channel.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    if (state == State.TUNNEL) {
      tunnel.accept(buf);
      return;
    }
    if (owner == null) {
      // Idle (or already failed): bytes nobody asked for; the connection cannot be trusted any more.
      buf.release();
      ctx.close();
      return;
    }
    anyByte = true;
    in = in == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, buf);
    process();
  }

  private void process() {
    while (owner != null && in != null && (state == State.HEAD || state == State.BODY)) {
      if (state == State.HEAD) {
        if (!head()) {
          break;
        }
        continue;
      }
      int n = switch (body) {
        case NONE -> 0;
        case LENGTH -> length.scan(in);
        case CHUNKED -> chunked.scan(in);
        case CLOSE -> in.readableBytes();
      };
      if (n < 0) {
        fail(new IOException("malformed chunked response body: " + chunked.error()));
        break;
      }
      if (n > 0) {
        owner.responseBody(in.readRetainedSlice(n));
      }
      boolean done = switch (body) {
        case NONE -> true;
        case LENGTH -> length.done();
        case CHUNKED -> chunked.done();
        case CLOSE -> false;
      };
      if (done) {
        end();
      }
      break;
    }
    if (in != null && !in.isReadable()) {
      in.release();
      in = null;
    }
  }

  /** Parses a head; true when one was taken and the loop goes on. */
  private boolean head() {
    ParseResult<ResponseHead> r = parser.parse(in, headRequest);
    if (r.needMore()) {
      return false;
    }
    ResponseHead h = r.head();
    if (h == null) {
      fail(new IOException("invalid response: " + r.reason()));
      return false;
    }
    if (h.status() == 101) {
      state = State.HELD;
      owner.switched(h);
      return false;
    }
    if (h.interim()) {
      owner.interim(h);
      return true;
    }
    body = h.body();
    reusable = h.reusable();
    if (body == ResponseHead.Body.LENGTH) {
      length = new LengthFramer(h.contentLength());
    } else if (body == ResponseHead.Body.CHUNKED) {
      chunked.reset();
    }
    state = State.BODY;
    if (!owner.responseHead(h)) {
      state = State.HELD;
      channel.config().setAutoRead(false);
      return false;
    }
    return true;
  }

  private void end() {
    Owner o = owner;
    // Bytes after the end of the response: the backend sent more than it framed; the connection is not reused.
    boolean clean = reusable && (in == null || !in.isReadable());
    owner = null;
    state = State.IDLE;
    if (in != null) {
      in.release();
      in = null;
    }
    o.responseEnded(clean);
  }

  /** After a clean exchange: back to the idle connections (or closed when it may not be reused). */
  @Override
  public void release(boolean reuse) {
    owner = null;
    state = State.IDLE;
    if (reuse && channel.isActive()) {
      reused = true;
      channel.config().setAutoRead(false);
      pool.offer(address, channel);
    } else {
      channel.close();
    }
  }

  private void fail(Throwable cause) {
    Owner o = owner;
    owner = null;
    state = State.FAILED;
    channel.close();
    if (o != null) {
      o.upstreamFailed(cause, anyByte);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (owner != null) {
      owner.backendReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (owner != null) {
      owner.backendWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (in != null && state != State.TUNNEL) {
      in.release();
      in = null;
    }
    if (owner == null) {
      return;
    }
    if (state == State.TUNNEL) {
      Owner o = owner;
      owner = null;
      o.tunnelClosed();
      return;
    }
    if (state == State.BODY && body == ResponseHead.Body.CLOSE) {
      Owner o = owner;
      owner = null;
      state = State.FAILED;
      o.responseEnded(false);
      return;
    }
    fail(new IOException("backend closed the connection"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (owner != null) {
      fail(cause);
    } else {
      ctx.close();
    }
  }
}
