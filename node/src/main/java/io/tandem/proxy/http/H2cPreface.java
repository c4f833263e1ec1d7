package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The first handler of a connection on an h2c listener: it holds the client's first bytes until they either are the
 * HTTP/2 connection preface ({@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, RFC 9113 3.4, HTTP/2 with prior knowledge), or
 * differ from it (an HTTP/1.x request: no request line starts with {@code PRI *}); then it hands what it held on,
 * including the preface, and leaves the pipeline. Until then the connection's {@link Http1Connection} waits for its
 * first head as on any plain listener, so a client that stops in the middle of the preface is answered by the slow-head
 * guard. Event-loop confined.
 */
final class H2cPreface extends ChannelInboundHandlerAdapter {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Consumer<ChannelHandlerContext> toHttp2;
  private ByteBuf held;

  /** @param toHttp2 puts the HTTP/2 handlers in place of the HTTP/1.x ones, before the preface is passed on */
  H2cPreface(Consumer<ChannelHandlerContext> toHttp2) {
    this.toHttp2 = toHttp2;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    held = held == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), held, buf);
    int n = Math.min(held.readableBytes(), PREFACE.length);
    for (int i = 0; i < n; i++) {
      if (held.getByte(held.readerIndex() + i) != PREFACE[i]) {
        handOn(ctx, false);
        return;
      }
    }
    if (n == PREFACE.length) {
      handOn(ctx, true);
    }
  }

  private void handOn(ChannelHandlerContext ctx, boolean http2) {
    ByteBuf bytes = held;
    held = null;
    if (http2) {
      toHttp2.accept(ctx);
    }
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(bytes);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (held != null) {
      held.release();
      held = null;
    }
    ctx.fireChannelInactive();
  }
}
