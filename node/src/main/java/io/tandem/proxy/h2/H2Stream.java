package io.tandem.proxy.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * One request on an HTTP/2 backend connection: a Netty stream channel of an {@link H2Connection}, with the frames it
 * receives handed to its {@link Owner} as they come. The request goes out with {@link #headers}, {@link #data} and
 * {@link #flush}; the stream's own flow-control window is its writability, and {@link #pauseReading} stops reading
 * the response, so the backend's window closes too (back-pressure both ways, per stream). Event-loop confined (the
 * client's loop, where the connection lives).
 */
public final class H2Stream extends ChannelInboundHandlerAdapter {
  /** What the exchange hears from its stream. Called on the loop. */
  public interface Owner {
    /** A response head: interim (1xx) or final; {@code endStream}: the response has no body. */
    void responseHeaders(Http2Headers headers, boolean endStream);

    /** A piece of the response body (the owner releases it); {@code endStream}: the last. */
    void responseData(ByteBuf data, boolean endStream);

    /** The response's trailers, which end it. */
    void responseTrailers(Http2Headers trailers);

    /**
     * The stream ended without a whole response. {@code refused}: the backend did not process it (GOAWAY above its
     * id, or REFUSED_STREAM), so it may be sent again on another connection whatever its method.
     */
    void streamFailed(Throwable cause, boolean refused);

    /** The stream's window (or its connection's buffer) opened or closed for the request body. */
    void writabilityChanged(boolean writable);

    /** A read from the backend completed: time to flush what went to the client. */
    void readComplete();
  }

  /** A stream reset by the backend, with its error code. */
  public static final class ResetException extends IOException {
    private final long code;

    ResetException(long code) {
      super("stream reset by the backend: " + Http2Error.valueOf(code));
      this.code = code;
    }

    public long code() {
      return code;
    }
  }

  private final H2Connection connection;
  private Owner owner;
  private Http2StreamChannel channel;
  private boolean finalHeaders;
  private boolean ended;
  private boolean failed;

  H2Stream(H2Connection connection, Owner owner) {
    this.connection = connection;
    this.owner = owner;
  }

  void bind(Http2StreamChannel ch) {
    this.channel = ch;
  }

  /** Whether the connection carried streams before this one (a failure may then be a connection closed under it). */
  public boolean reused() {
    return connection.reused();
  }

  public void headers(Http2Headers headers, boolean endStream) {
    channel.write(new DefaultHttp2HeadersFrame(headers, endStream), channel.voidPromise());
  }

  public void data(ByteBuf data, boolean endStream) {
    channel.write(new DefaultHttp2DataFrame(data, endStream), channel.voidPromise());
  }

  /** The request's trailers, ending it. */
  public void trailers(Http2Headers trailers) {
    channel.write(new DefaultHttp2HeadersFrame(trailers, true), channel.voidPromise());
  }

  public void flush() {
    channel.flush();
  }

  public boolean writable() {
    return channel.isWritable();
  }

  /** Stops (or resumes) reading the response; unread DATA is not acknowledged, so the backend's window closes. */
  public void pauseReading(boolean pause) {
    channel.config().setAutoRead(!pause);
    if (!pause) {
      channel.read();
    }
  }

  /** Abandons the stream (RST_STREAM CANCEL when it is still open); the owner hears nothing more. */
  public void cancel() {
    owner = null;
    if (channel.isActive() && !ended) {
      channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
    }
    channel.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Owner o = owner;
    if (o == null || ended || failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof Http2HeadersFrame h) {
      Http2Headers headers = h.headers();
      String bad = invalidField(headers);
      if (bad != null) {
        // A field that cannot be said to an HTTP/1.1 client (or that would split its head) is the backend's error.
        fail(new IOException("backend sent an invalid header field: " + bad), false);
        return;
      }
      if (finalHeaders) {
        ended = true;
        o.responseTrailers(headers);
        return;
      }
      CharSequence status = headers.status();
      boolean interim = status != null && status.length() == 3 && status.charAt(0) == '1';
      if (!interim) {
        finalHeaders = true;
        ended = h.isEndStream();
      }
      o.responseHeaders(headers, h.isEndStream());
    } else if (msg instanceof Http2DataFrame d) {
      if (!finalHeaders) {
        d.release();
        fail(new IOException("DATA before the response headers"), false);
        return;
      }
      ended = d.isEndStream();
      ByteBuf content = d.content();
      if (!content.isReadable() && !ended) {
        d.release();
        return;
      }
      o.responseData(content, ended);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * The first field whose name is not a lower-case token (pseudo-headers aside) or whose value holds CR, LF or NUL,
   * or null when all are fine (RFC 9113 section 8.2.1).
   */
  static String invalidField(Http2Headers headers) {
    for (java.util.Map.Entry<CharSequence, CharSequence> e : headers) {
      CharSequence name = e.getKey();
      int n = name.length();
      if (n == 0) {
        return "(empty name)";
      }
      for (int i = name.charAt(0) == ':' ? 1 : 0; i < n; i++) {
        char c = name.charAt(i);
        if (!io.tandem.proxy.h1.Ascii.tokenChar(c) || (c >= 'A' && c <= 'Z')) {
          return name.toString();
        }
      }
      CharSequence value = e.getValue();
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\r' || c == '\n' || c == 0) {
          return name.toString();
        }
      }
    }
    return null;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame r) {
      long code = r.errorCode();
      fail(new ResetException(code), code == Http2Error.REFUSED_STREAM.code());
    } else if (evt instanceof Http2GoAwayFrame g) {
      // The connection goes away and this stream's id is above the last one the backend will process.
      g.release();
      fail(new IOException("backend connection going away before the stream was processed"), true);
    } else {
      ReferenceCountUtil.release(evt);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Owner o = owner;
    if (o != null && !ended && !failed) {
      o.writabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Owner o = owner;
    if (o != null) {
      o.readComplete();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connection.streamClosed(this);
    if (!ended) {
      fail(new IOException("backend stream closed before the end of the response"), false);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause, false);
    ctx.close();
  }

  private void fail(Throwable cause, boolean refused) {
    if (failed || ended) {
      return;
    }
    failed = true;
    Owner o = owner;
    owner = null;
    if (o != null) {
      o.streamFailed(cause, refused);
    }
    if (channel != null) {
      channel.close();
    }
  }
}
