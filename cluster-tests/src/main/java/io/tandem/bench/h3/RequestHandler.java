package io.tandem.bench.h3;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Exception;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicException;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * One request on its own request stream: sends the head (and the body of a POST), reads the answer, and reports once
 * to its connection how it ended: the status when the answer ended with the stream's FIN, -1 when the stream was
 * reset, failed or closed before that.
 */
final class RequestHandler extends Http3RequestStreamInboundHandler {
  private final Connection connection;
  private final long startNanos;
  private int status = -1;
  private boolean over;

  RequestHandler(Connection connection, long startNanos) {
    this.connection = connection;
    this.startNanos = startNanos;
  }

  long startNanos() {
    return startNanos;
  }

  /** Writes the request on its new stream and ends the stream's sending side. */
  void send(QuicStreamChannel stream, RequestTemplate request) {
    Http3HeadersFrame head = new DefaultHttp3HeadersFrame();
    Http3Headers headers = head.headers();
    request.fill(headers);
    ByteBuf body = request.body();
    if (body == null) {
      stream.writeAndFlush(head).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
    } else {
      stream.write(head);
      stream.writeAndFlush(new DefaultHttp3DataFrame(body)).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
    }
  }

  /** The stream could not be opened. */
  void failed() {
    end(-1);
  }

  @Override
  protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
    if (status < 0) {   // a second HEADERS frame is the trailers
      CharSequence s = frame.headers().status();
      status = s == null ? -1 : statusCode(s);
    }
    ReferenceCountUtil.release(frame);
  }

  @Override
  protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
    connection.dataReceived(frame.content().readableBytes());
    frame.release();
  }

  @Override
  protected void channelInputClosed(ChannelHandlerContext ctx) {
    end(status);
    ctx.close();
  }

  @Override
  protected void handleQuicException(ChannelHandlerContext ctx, QuicException exception) {
    end(-1);   // a reset stream (QuicStreamResetException) among others
    ctx.close();
  }

  @Override
  protected void handleHttp3Exception(ChannelHandlerContext ctx, Http3Exception exception) {
    end(-1);
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof QuicException || cause instanceof Http3Exception) {
      super.exceptionCaught(ctx, cause);
    } else {
      end(-1);
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end(-1);   // closed before its answer ended: the connection went, or the stream was closed under it
    ctx.fireChannelInactive();
  }

  private static int statusCode(CharSequence s) {
    try {
      return HttpResponseStatus.parseLine(s).code();
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  private void end(int outcome) {
    if (!over) {
      over = true;
      connection.requestEnded(this, outcome);
    }
  }
}
