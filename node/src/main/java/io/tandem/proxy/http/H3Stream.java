package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.tandem.util.Outcome;
import io.tandem.proxy.h1.ChunkedFramer;
import io.tandem.proxy.h1.ParseResult;
import io.tandem.proxy.h1.ResponseHead;
import io.tandem.proxy.h1.ResponseHeadParser;
import io.tandem.tls.TlsFacts;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One HTTP/3 request stream, put in front of an {@link Http1Connection} so that the request takes Tandem's one
 * HTTP path (routing, persistence, limits, rules, retries, outcomes, access log, metrics; any pool protocol): the
 * request's HEADERS and DATA frames become an HTTP/1.1 request (head, then the body with its length, or chunked when
 * none was given; trailers in the last chunk), and the HTTP/1.1 answer the exchange writes is read back with
 * Tandem's parser into HEADERS, DATA and trailing HEADERS frames, the stream ending (FIN) with the answer. The
 * stream carries one exchange; the connection's other streams are other exchanges.
 *
 * <p>What HTTP/3 forbids is checked before anything is written (RFC 9114 4.2, 4.3): field names in lower case and
 * of token characters, no CR, LF or NUL in values, no connection-specific fields, the pseudo-header fields, and a
 * body that matches its Content-Length; a request that breaks one is answered 400 here, so nothing the HTTP/1.1 text
 * could take two ways reaches the parser. With {@code early-data}, a request that came in 0-RTT data is forwarded
 * with {@code Early-Data: 1} when its method is safe and answered 425 otherwise (RFC 8470). Event-loop confined.
 */
final class H3Stream extends ChannelDuplexHandler {
  private static final Logger LOG = LogManager.getLogger(H3Stream.class);
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
  private static final Set<String> BODYLESS = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "DELETE", "CONNECT");
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = {'0', '\r', '\n'};
  private static final int MAX_STATUS_LINE = 8192;

  /** How the request body goes on in HTTP/1.1. */
  private enum Body { PENDING, NONE, LENGTH, CHUNKED }

  private final ListenerRuntime runtime;
  private final String clientIp;
  private final boolean early;
  private final ResponseHeadParser responses;

  private Http3Headers pending;      // the request head, until its body's framing is known
  private Body body = Body.PENDING;
  private long length;              // Content-Length, or -1
  private long received;
  private boolean inputDone;
  private boolean refused;
  private String method = "GET";

  // the answer, read back from the exchange's bytes
  private ByteBuf head;
  private ResponseHead.Body answer;
  private long answerLeft;
  private final ChunkedFramer chunks = new ChunkedFramer();
  private boolean answered;
  private ByteBuf held;             // the newest DATA bytes of a chunked or close-delimited answer, not yet written

  H3Stream(ListenerRuntime runtime, String clientIp, boolean early) {
    this.runtime = runtime;
    this.clientIp = clientIp;
    this.early = early;
    int maxHeader = runtime.config().limits().maxHeaderSize();
    this.responses = new ResponseHeadParser(MAX_STATUS_LINE, Math.max(maxHeader, 64 * 1024), 1000);
    chunks.keepTrailers();
  }

  // ---- the request: HTTP/3 frames in, HTTP/1.1 bytes on ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http3HeadersFrame h) {
      headers(ctx, h.headers());
    } else if (msg instanceof Http3DataFrame d) {
      data(ctx, d.content());
    } else {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }

  private void headers(ChannelHandlerContext ctx, Http3Headers h) {
    if (refused) {
      return;
    }
    if (body == Body.PENDING && pending == null) {
      String problem = H3Fields.problem(h);
      if (problem != null) {
        refuse(ctx, Outcome.BAD_REQUEST, problem);
        return;
      }
      method = h.method().toString();
      if (early && !SAFE.contains(method)) {
        refuse(ctx, Outcome.TOO_EARLY, "a " + method + " request in 0-RTT data");
        return;
      }
      CharSequence cl = h.get("content-length");
      length = cl == null ? -1 : H3Fields.parseLength(cl);
      if (cl != null && length < 0) {
        refuse(ctx, Outcome.BAD_REQUEST, "invalid content-length");
        return;
      }
      pending = h;
      if (length >= 0) {
        sendHead(ctx, length == 0 ? Body.NONE : Body.LENGTH);
      }
      return;
    }
    // Trailers: they end the body.
    String problem = H3Fields.fieldProblem(h, true);
    if (problem != null) {
      reset(ctx, Http3ErrorCode.H3_MESSAGE_ERROR, problem);
      return;
    }
    if (body == Body.PENDING) {
      sendHead(ctx, Body.CHUNKED);
    }
    if (body == Body.CHUNKED) {
      ByteBuf out = ctx.alloc().buffer();
      out.writeBytes(LAST_CHUNK);
      for (Map.Entry<CharSequence, CharSequence> e : h) {
        out.writeCharSequence(e.getKey(), StandardCharsets.ISO_8859_1);
        out.writeByte(':').writeByte(' ');
        out.writeCharSequence(e.getValue(), StandardCharsets.ISO_8859_1);
        out.writeBytes(CRLF);
      }
      out.writeBytes(CRLF);
      body = Body.NONE;   // ended
      ctx.fireChannelRead(out);
    }
  }

  private void data(ChannelHandlerContext ctx, ByteBuf data) {
    if (refused || (pending == null && body == Body.PENDING)) {
      data.release();
      return;
    }
    if (body == Body.PENDING) {
      sendHead(ctx, Body.CHUNKED);
    }
    int n = data.readableBytes();
    received += n;
    if (body == Body.NONE || (body == Body.LENGTH && received > length)) {
      data.release();
      reset(ctx, Http3ErrorCode.H3_MESSAGE_ERROR, "more body than its content-length, or a body after its end");
      return;
    }
    if (n == 0) {
      data.release();
      return;
    }
    if (body == Body.CHUNKED) {
      ByteBuf size = ctx.alloc().buffer(12);
      size.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
      size.writeBytes(CRLF);
      ctx.fireChannelRead(size);
      ctx.fireChannelRead(data);
      ctx.fireChannelRead(Unpooled.wrappedBuffer(CRLF));
    } else {
      ctx.fireChannelRead(data);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (pending != null && body == Body.PENDING) {
      // No length, and the stream did not end with the head: a body follows, unless the method takes none.
      sendHead(ctx, BODYLESS.contains(method) ? Body.NONE : Body.CHUNKED);
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ChannelInputShutdownEvent.INSTANCE) {
      inputDone = true;
      if (!refused) {
        if (pending == null && body == Body.PENDING) {
          reset(ctx, Http3ErrorCode.H3_REQUEST_INCOMPLETE, "the stream ended before a request head");
          return;
        }
        if (body == Body.PENDING) {
          sendHead(ctx, Body.NONE);
        } else if (body == Body.CHUNKED) {
          ByteBuf end = ctx.alloc().buffer(5);
          end.writeBytes(LAST_CHUNK).writeBytes(CRLF);
          body = Body.NONE;
          ctx.fireChannelRead(end);
        } else if (body == Body.LENGTH && received < length) {
          reset(ctx, Http3ErrorCode.H3_MESSAGE_ERROR, "less body than its content-length");
          return;
        }
      }
      return;   // the HTTP/1.1 side reads the request's end from its framing, not from a half-close
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** The HTTP/1.1 head of the request, with its body's framing. */
  private void sendHead(ChannelHandlerContext ctx, Body framing) {
    Http3Headers h = pending;
    body = framing;
    ByteBuf out = ctx.alloc().buffer(256);
    write(out, h.method());
    out.writeByte(' ');
    write(out, h.path() != null ? h.path() : h.authority());   // CONNECT names its authority
    out.writeCharSequence(" HTTP/1.1\r\nhost: ", StandardCharsets.US_ASCII);
    write(out, h.authority() != null ? h.authority() : h.get("host"));
    out.writeBytes(CRLF);
    StringBuilder cookies = null;
    for (Map.Entry<CharSequence, CharSequence> e : h) {
      CharSequence name = e.getKey();
      if ((name.length() > 0 && name.charAt(0) == ':') || H3Fields.contentEquals(name, "host")) {
        continue;
      }
      if (H3Fields.contentEquals(name, "cookie")) {
        // HTTP/3 may split the cookie field; HTTP/1.1 wants one (RFC 9114 4.2.1).
        cookies = cookies == null ? new StringBuilder() : cookies.append("; ");
        cookies.append(e.getValue());
        continue;
      }
      write(out, name);
      out.writeByte(':').writeByte(' ');
      write(out, e.getValue());
      out.writeBytes(CRLF);
    }
    if (cookies != null) {
      out.writeCharSequence("cookie: ", StandardCharsets.US_ASCII);
      out.writeCharSequence(cookies, StandardCharsets.ISO_8859_1);
      out.writeBytes(CRLF);
    }
    if (framing == Body.CHUNKED) {
      out.writeCharSequence("transfer-encoding: chunked\r\n", StandardCharsets.US_ASCII);
    } else if (framing == Body.NONE && length < 0 && !BODYLESS.contains(method)) {
      out.writeCharSequence("content-length: 0\r\n", StandardCharsets.US_ASCII);
    }
    if (early && !h.contains("early-data")) {
      out.writeCharSequence("early-data: 1\r\n", StandardCharsets.US_ASCII);
    }
    out.writeBytes(CRLF);
    pending = null;
    ctx.fireChannelRead(out);
  }

  private static void write(ByteBuf out, CharSequence s) {
    out.writeCharSequence(s, StandardCharsets.ISO_8859_1);
  }

  // ---- the answer: HTTP/1.1 bytes from the exchange, HTTP/3 frames out ----

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf)) {
      ctx.write(msg, promise);
      return;
    }
    ByteBuf src = (ByteBuf) msg;
    try {
      while (src.isReadable() && !answered && !refused) {
        if (answer == null) {
          if (head == null) {
            head = ctx.alloc().buffer(src.readableBytes());
          }
          head.writeBytes(src);
          ParseResult<ResponseHead> r = responses.parse(head, method.equals("HEAD"));
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
  private void closeAfterFin(QuicStreamChannel stream) {
    if (!inputDone) {
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
    if (answered || refused) {
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

  // ---- answered here ----

  /** Answers a request that never reaches the exchange: 400 for a malformed one, 425 for an unsafe early one. */
  private void refuse(ChannelHandlerContext ctx, Outcome outcome, String why) {
    refused = true;
    runtime.record(outcome);
    LOG.debug("refused HTTP/3 request from {} on {}: {}", clientIp, runtime.name(), why);
    if (runtime.accessLog()) {
      AccessLog.log(runtime.name(), clientIp, method, "-", outcome.status(), outcome, null, null, 0, null, 0,
          TlsFacts.of(ctx.channel()));
    }
    String text = OwnAnswers.body(outcome);
    Http3Headers h = new DefaultHttp3Headers();
    h.status(Integer.toString(outcome.status()));
    h.add("content-type", "text/plain; charset=utf-8");
    h.add("content-length", Integer.toString(text.length()));
    ctx.write(new DefaultHttp3HeadersFrame(h));
    QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
    ctx.writeAndFlush(new DefaultHttp3DataFrame(ByteBufAllocator.DEFAULT.buffer().writeBytes(
        text.getBytes(StandardCharsets.UTF_8))))
        .addListener(f -> stream.shutdownOutput().addListener(g -> closeAfterFin(stream)));
  }

  /** Ends the stream with an error both ways (a malformed request body: the exchange sees its client leave). */
  private void reset(ChannelHandlerContext ctx, Http3ErrorCode code, String why) {
    boolean headSent = body != Body.PENDING;
    refused = true;
    LOG.debug("reset HTTP/3 stream from {} on {}: {}", clientIp, runtime.name(), why);
    if (!headSent) {
      runtime.record(Outcome.BAD_REQUEST);   // else the exchange under way ends (client_aborted) and counts it
    }
    QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
    stream.shutdown(code.code());
    stream.close();
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
