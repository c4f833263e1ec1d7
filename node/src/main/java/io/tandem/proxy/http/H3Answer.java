package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.tandem.proxy.h1.ChunkedFramer;
import io.tandem.proxy.h1.ParseResult;
import io.tandem.proxy.h1.ResponseHead;
import io.tandem.proxy.h1.ResponseHeadParser;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The answer half of an HTTP/3 request stream ({@link H3Stream} adds the request half): the HTTP/1.1 answer the
 * exchange writes is read back with Tandem's parser into HEADERS, DATA and trailing HEADERS frames, the stream ending
 * (FIN) with the answer. A base class rather than a second handler, so that a stream still costs one handler.
 * Event-loop confined.
 */
abstract class H3Answer extends ChannelDuplexHandler {
  private static final Logger LOG = LogManager.getLogger(H3Answer.class);
  private static final int MAX_STATUS_LINE = 8192;

  private final ResponseHeadParser responses;
  private ByteBuf head;
  private ResponseHead.Body answer;
  private long answerLeft;
  private final ChunkedFramer chunks = new ChunkedFramer();
  private boolean answered;
  private ByteBuf held;             // the newest DATA bytes of a chunked or close-delimited answer, not yet written

  H3Answer(ListenerRuntime runtime) {
    int maxHeader = runtime.config().limits().maxHeaderSize();
    this.responses = new ResponseHeadParser(MAX_STATUS_LINE, Math.max(maxHeader, 64 * 1024), 1000);
    chunks.keepTrailers();
  }

  /** Whether the request was answered here (it never reached the exchange) or reset. */
  abstract boolean refused();

  /** Whether the request's method is HEAD (its answer has no body whatever its fields say). */
  abstract boolean headRequest();

  /** Whether the client's side of the stream has ended. */
  abstract boolean inputDone();

  // ---- the answer: HTTP/1.1 bytes from the exchange, HTTP/3 frames out ----

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf)) {
      ctx.write(msg, promise);
      return;
    }
    ByteBuf src = (ByteBuf) msg;
    try {
      while (src.isReadable() && !answered && !refused()) {
        if (answer == null) {
          if (head == null) {
            head = ctx.alloc().buffer(src.readableBytes());
          }
          head.writeBytes(src);
          ParseResult<ResponseHead> r = responses.parse(head, headRequest());
          if (r.needMore()) {
            break;
          }
          ByteBuf rest = head;
          head = null;
          src.release();
          src = rest;   // what followed the head in the same writes
          if (r.head() == null) {
            LOG.debug("unreadable answer on an HTTP/3 stream: {}", r.reason());
            resetLater(ctx, Http3ErrorCode.H3_INTERNAL_ERROR);
            break;
          }
          ResponseHead rh = r.head();
          Http3Headers fields = responseHeaders(rh);
          if (rh.interim()) {
            out(ctx, new DefaultHttp3HeadersFrame(fields));
            continue;
          }
          answer = rh.body();
          answerLeft = rh.contentLength();
          if (answer == ResponseHead.Body.NONE || (answer == ResponseHead.Body.LENGTH && answerLeft <= 0)) {
            finish(ctx, RawFrames.headers(ctx.alloc(), fields));   // a bodiless answer: its head ends the stream
          } else {
            out(ctx, new DefaultHttp3HeadersFrame(fields));
          }
          continue;
        }
        switch (answer) {
          case LENGTH -> {
            int n = (int) Math.min(answerLeft, src.readableBytes());
            answerLeft -= n;
            if (answerLeft == 0) {
              finish(ctx, RawFrames.data(ctx.alloc(), src.readRetainedSlice(n)));
            } else {
              out(ctx, new DefaultHttp3DataFrame(src.readRetainedSlice(n)));
            }
          }
          case CHUNKED -> chunked(ctx, src);
          case CLOSE -> hold(ctx, src.readRetainedSlice(src.readableBytes()));
          default -> src.skipBytes(src.readableBytes());
        }
      }
    } finally {
      src.release();
    }
    promise.trySuccess();
  }

  /** A chunked answer's bytes: the chunks' data as DATA frames, the trailers as the last HEADERS frame. */
  private void chunked(ChannelHandlerContext ctx, ByteBuf src) {
    int n = chunks.scan(src, (b, index, len) -> hold(ctx, b.retainedSlice(index, len)));
    if (n < 0) {
      resetLater(ctx, Http3ErrorCode.H3_INTERNAL_ERROR);
      src.skipBytes(src.readableBytes());
      return;
    }
    src.skipBytes(n);
    if (!chunks.done()) {
      return;
    }
    List<String> trailers = chunks.trailerFields();
    if (!trailers.isEmpty()) {
      Http3Headers t = new DefaultHttp3Headers(false);
      for (int i = 0; i < trailers.size(); i += 2) {
        String name = trailers.get(i).toLowerCase(java.util.Locale.ROOT);
        if (!H3Fields.CONNECTION_FIELDS.contains(name)) {
          t.add(name, trailers.get(i + 1));
        }
      }
      release(ctx);
      finish(ctx, RawFrames.headers(ctx.alloc(), t));
      return;
    }
    finishHeld(ctx);
  }

  /** Holds back the newest DATA bytes, so the last ones can carry the FIN; writes the ones held before. */
  private void hold(ChannelHandlerContext ctx, ByteBuf data) {
    release(ctx);
    held = data;
  }

  /** Writes what is held as an ordinary DATA frame. */
  private void release(ChannelHandlerContext ctx) {
    if (held != null) {
      out(ctx, new DefaultHttp3DataFrame(held));
      held = null;
    }
  }

  /** Ends the answer with what is held (or an empty end). */
  private void finishHeld(ChannelHandlerContext ctx) {
    ByteBuf last = held;
    held = null;
    finish(ctx, last == null ? Unpooled.EMPTY_BUFFER : RawFrames.data(ctx.alloc(), last));
  }

  private static void out(ChannelHandlerContext ctx, Object frame) {
    ctx.write(frame);
  }

  /** The answer's head as HTTP/3 fields: :status, the fields in lower case, connection-specific ones dropped. */
  private static Http3Headers responseHeaders(ResponseHead rh) {
    Http3Headers h = new DefaultHttp3Headers(false);
    h.status(Integer.toString(rh.status()));
    for (int i = 0; i < rh.headerCount(); i++) {
      String name = rh.name(i).toLowerCase(java.util.Locale.ROOT);
      if (!H3Fields.CONNECTION_FIELDS.contains(name)) {
        h.add(name, rh.value(i));
      }
    }
    return h;
  }

  /**
   * The answer is complete: {@code last} (the answer's last frame, encoded, or nothing) goes out with the stream's
   * FIN in one STREAM frame, after the current task, once the exchange has recorded its end (an end seen before
   * would look like the client leaving). It is written from the head of the pipeline, past the HTTP/3 codec (which
   * takes HTTP/3 frames only): a FIN of its own after the frames, as {@code shutdownOutput} sends it, is not always
   * sent by quiche when the stream was blocked, and the client would wait for the end of an answer it has.
   */
  private void finish(ChannelHandlerContext ctx, ByteBuf last) {
    answered = true;
    QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
    ChannelHandlerContext first = ctx.pipeline().firstContext();
    ctx.executor().execute(() -> {
      ctx.flush();
      first.writeAndFlush(new DefaultQuicStreamFrame(last, true)).addListener(f -> closeAfterFin(stream));
    });
  }

  /**
   * After the FIN: a request body the answer did not need is refused (STOP_SENDING). The stream closes by itself once
   * both sides have ended (closing it here could drop answer bytes quiche has not sent yet).
   */
  final void closeAfterFin(QuicStreamChannel stream) {
    if (!inputDone()) {
      stream.shutdownInput(Http3ErrorCode.H3_NO_ERROR.code());
    }
  }

  /**
   * The exchange closes its connection: after a complete answer the stream is already ending (it closes once its
   * FIN is out); a body delimited by the close ends now; any other answer was cut short and the stream is reset.
   */
  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (answer == ResponseHead.Body.CLOSE && !answered) {
      finishHeld(ctx);   // a body delimited by the close: its end
    }
    if (answered || refused()) {
      ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
      return;
    }
    ((QuicStreamChannel) ctx.channel()).shutdown(Http3ErrorCode.H3_INTERNAL_ERROR.code());
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (held != null) {
      held.release();
      held = null;
    }
    if (head != null) {
      head.release();
      head = null;
    }
    ctx.fireChannelInactive();
  }

  private void resetLater(ChannelHandlerContext ctx, Http3ErrorCode code) {
    answered = true;
    QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
    ctx.executor().execute(() -> {
      stream.shutdown(code.code());
      stream.close();
    });
  }
}
