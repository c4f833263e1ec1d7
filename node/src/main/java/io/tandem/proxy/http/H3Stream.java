package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.tandem.util.Outcome;
import io.tandem.tls.TlsFacts;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One HTTP/3 request stream, put in front of an {@link Http1Connection} so that the request takes Tandem's one
 * HTTP path (routing, persistence, limits, rules, retries, outcomes, access log, metrics; any pool protocol): the
 * request's HEADERS and DATA frames become an HTTP/1.1 request (head, then the body with its length, or chunked when
 * none was given; trailers in the last chunk), and the HTTP/1.1 answer the exchange writes goes back as HTTP/3
 * frames ({@link H3Answer}, this class's answer half). The
 * stream carries one exchange; the connection's other streams are other exchanges.
 *
 * <p>What HTTP/3 forbids is checked before anything is written (RFC 9114 4.2, 4.3): field names in lower case and
 * of token characters, no CR, LF or NUL in values, no connection-specific fields, the pseudo-header fields, and a
 * body that matches its Content-Length; a request that breaks one is answered 400 here, so nothing the HTTP/1.1 text
 * could take two ways reaches the parser. With {@code early-data}, a request that came in 0-RTT data is forwarded
 * with {@code Early-Data: 1} when its method is safe and answered 425 otherwise (RFC 8470). Event-loop confined.
 */
final class H3Stream extends H3Answer {
  private static final Logger LOG = LogManager.getLogger(H3Stream.class);
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
  private static final Set<String> BODYLESS = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "DELETE", "CONNECT");
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = {'0', '\r', '\n'};

  /** How the request body goes on in HTTP/1.1. */
  private enum Body { PENDING, NONE, LENGTH, CHUNKED }

  private final ListenerRuntime runtime;
  private final String clientIp;
  private final boolean early;

  private Http3Headers pending;      // the request head, until its body's framing is known
  private Body body = Body.PENDING;
  private long length;              // Content-Length, or -1
  private long received;
  private boolean inputDone;
  private boolean refused;
  private String method = "GET";

  H3Stream(ListenerRuntime runtime, String clientIp, boolean early) {
    super(runtime);
    this.runtime = runtime;
    this.clientIp = clientIp;
    this.early = early;
  }

  @Override
  boolean refused() {
    return refused;
  }

  @Override
  boolean headRequest() {
    return method.equals("HEAD");
  }

  @Override
  boolean inputDone() {
    return inputDone;
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

}
