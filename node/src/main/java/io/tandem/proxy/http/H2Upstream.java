package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.tandem.proxy.h1.ChunkedFramer;
import io.tandem.proxy.h1.ParseResult;
import io.tandem.proxy.h1.RequestHead;
import io.tandem.proxy.h1.RequestHeadParser;
import io.tandem.proxy.h1.ResponseHead;
import io.tandem.proxy.h1.ResponseHeadParser;
import io.tandem.proxy.h2.H2Connections;
import io.tandem.proxy.h2.H2Stream;
import io.tandem.upstream.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * An HTTP/1.1 client's exchange carried on a stream of an HTTP/2 backend connection: the request the exchange writes
 * as HTTP/1.1 bytes (its head as {@link io.tandem.proxy.h1.HeadWriter} made it, its body framed by length or chunks)
 * goes out as HTTP/2 headers and DATA; the response's headers, DATA and trailers come back to the exchange as an
 * HTTP/1.1 head, body slices (chunked when the backend gave no length) and the last chunk with the trailers. Parsing
 * the bytes the exchange made with Tandem's own parsers keeps one path of decisions for both kinds of backend; the
 * cost is one extra look at each head. Event-loop confined.
 */
final class H2Upstream implements Upstream, H2Stream.Owner {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  private enum In { HEAD, LENGTH, CHUNKED, DONE }

  private final boolean https;
  private final RequestHeadParser requestParser = new RequestHeadParser(64 * 1024, 256 * 1024, 10_000, true);
  private final ResponseHeadParser responseParser = new ResponseHeadParser(16 * 1024, 256 * 1024, 10_000);
  private final ChunkedFramer chunks = new ChunkedFramer();
  private H2Stream stream;
  private Http1Upstream.Owner owner;
  private boolean headRequest;
  private boolean http10;
  private In in = In.HEAD;
  private ByteBuf head;
  private long lengthLeft;
  private boolean chunkedOut;   // the response goes to the client in chunks
  private boolean closeDelimited;
  private boolean held;
  private java.util.ArrayDeque<Runnable> heldFrames;
  private boolean ended;

  private H2Upstream(boolean https) {
    this.https = https;
  }

  /** Takes a stream to {@code b} on {@code connections}; {@code done} gets the upstream and the failure or null. */
  static void open(H2Connections connections, Backend b, boolean https, BiConsumer<Upstream, Throwable> done) {
    H2Upstream up = new H2Upstream(https);
    connections.stream(b.inetAddress(), up, (s, err) -> {
      up.stream = s;
      done.accept(up, err);
    });
  }

  @Override
  public void begin(Http1Upstream.Owner o, boolean isHead) {
    owner = o;
    headRequest = isHead;
  }

  // ---- request: HTTP/1.1 bytes in, HTTP/2 frames out ----

  @Override
  public void write(ByteBuf buf) {
    if (stream == null || in == In.DONE) {
      buf.release();
      return;
    }
    if (in == In.HEAD) {
      head = head == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ByteBufAllocator.DEFAULT, head, buf);
      ParseResult<RequestHead> r = requestParser.parse(head);
      if (r.needMore()) {
        return;
      }
      ByteBuf rest = head;
      head = null;
      if (r.head() == null) {
        rest.release();
        fail(new IOException("request head not understood: " + r.reason()));
        return;
      }
      sendHead(r.head());
      if (rest.isReadable() && in != In.DONE) {
        body(rest);
      } else {
        rest.release();
      }
      return;
    }
    body(buf);
  }

  private void sendHead(RequestHead h) {
    http10 = h.versionMinor() == 0;
    Http2Headers out = H2Fields.request(h, https);
    if (h.chunked()) {
      in = In.CHUNKED;
    } else if (h.contentLength() > 0) {
      in = In.LENGTH;
      lengthLeft = h.contentLength();
    } else {
      in = In.DONE;
    }
    stream.headers(out, in == In.DONE);
  }

  private void body(ByteBuf buf) {
    try {
      if (in == In.LENGTH) {
        int n = (int) Math.min(lengthLeft, buf.readableBytes());
        lengthLeft -= n;
        boolean last = lengthLeft == 0;
        if (last) {
          in = In.DONE;
        }
        stream.data(buf.readRetainedSlice(n), last);
      } else if (in == In.CHUNKED) {
        int n = chunks.scan(buf, (b, index, length) -> stream.data(b.retainedSlice(index, length), false));
        if (n < 0) {
          fail(new IOException("request body not understood: " + chunks.error()));
          return;
        }
        if (chunks.done()) {
          in = In.DONE;
          stream.data(Unpooled.EMPTY_BUFFER, true);
        }
      }
    } finally {
      buf.release();
    }
  }

  @Override
  public void writeAndFlush(ByteBuf buf) {
    write(buf);
    flush();
  }

  @Override
  public void flush() {
    if (stream != null) {
      stream.flush();
    }
  }

  @Override
  public boolean writable() {
    return stream == null || stream.writable();
  }

  @Override
  public void pauseReading(boolean pause) {
    if (stream != null && !ended) {
      stream.pauseReading(pause);
    }
  }

  @Override
  public void resume() {
    if (!held) {
      return;
    }
    held = false;
    while (heldFrames != null && !heldFrames.isEmpty() && !held && owner != null) {
      heldFrames.poll().run();
    }
    if (stream != null && !ended) {
      stream.pauseReading(false);
    }
  }

  @Override
  public void tunnel(Consumer<ByteBuf> sink) {
    throw new IllegalStateException("an HTTP/2 stream never switches protocols");
  }

  @Override
  public void discard() {
    owner = null;
    dropHeld();
    if (head != null) {
      head.release();
      head = null;
    }
    if (stream != null) {
      H2Stream s = stream;
      stream = null;
      if (!ended) {
        s.cancel();
      }
    }
  }

  @Override
  public void release(boolean reuse) {
    if (ended) {
      owner = null;
      stream = null;
    } else {
      discard();
    }
  }

  @Override
  public Channel channel() {
    return null;
  }

  @Override
  public boolean reused() {
    return stream != null && stream.reused();
  }

  // ---- response: HTTP/2 frames in, HTTP/1.1 bytes out ----

  /** Frames that come while the exchange holds the head wait here (the stream's reading is paused as well). */
  private boolean hold(Runnable frame) {
    if (!held) {
      return false;
    }
    if (heldFrames == null) {
      heldFrames = new java.util.ArrayDeque<>(2);
    }
    heldFrames.add(frame);
    return true;
  }

  private void dropHeld() {
    if (heldFrames != null) {
      heldFrames.forEach(Runnable::run);   // with no owner, each frame only frees what it holds
      heldFrames.clear();
    }
  }

  @Override
  public void responseHeaders(Http2Headers h, boolean endStream) {
    if (owner == null || hold(() -> responseHeaders(h, endStream))) {
      return;
    }
    int code = H2Fields.statusOf(h);
    if (code < 0) {
      streamFailed(new IOException("backend response without a valid :status"), false);
      return;
    }
    StringBuilder sb = new StringBuilder(256).append("HTTP/1.1 ").append(code).append(" \r\n");
    boolean length = H2Fields.appendHttp1(sb, h);
    boolean interim = code >= 100 && code < 200;
    boolean bodiless = headRequest || code == 204 || code == 304 || interim;
    if (!bodiless && !length) {
      if (endStream) {
        sb.append("content-length: 0\r\n");
      } else if (http10) {
        closeDelimited = true;   // an HTTP/1.0 client reads to the close
      } else {
        sb.append("transfer-encoding: chunked\r\n");
        chunkedOut = true;
      }
    }
    sb.append("\r\n");
    ByteBuf bytes = Unpooled.copiedBuffer(sb, StandardCharsets.ISO_8859_1);
    ParseResult<ResponseHead> r;
    try {
      r = responseParser.parse(bytes, headRequest);
    } finally {
      bytes.release();
    }
    if (r.head() == null) {
      streamFailed(new IOException("backend response head not understood: " + r.reason()), false);
      return;
    }
    ResponseHead rh = r.head();
    if (interim) {
      owner.interim(rh);
      return;
    }
    if (!owner.responseHead(rh)) {
      held = true;
      if (stream != null) {
        stream.pauseReading(true);
      }
    }
    if (endStream) {
      if (!hold(this::end)) {
        end();
      }
    }
  }

  @Override
  public void responseData(ByteBuf data, boolean endStream) {
    if (owner == null) {
      data.release();
      return;
    }
    if (hold(() -> {
      if (owner == null) {
        data.release();
      } else {
        responseData(data, endStream);
      }
    })) {
      return;
    }
    if (headRequest) {
      data.release();
    } else if (data.isReadable()) {
      if (chunkedOut) {
        ByteBuf size = Unpooled.copiedBuffer(Integer.toHexString(data.readableBytes()) + "\r\n",
            StandardCharsets.ISO_8859_1);
        owner.responseBody(Unpooled.wrappedBuffer(size, data, Unpooled.wrappedBuffer(CRLF)));
      } else {
        owner.responseBody(data);
      }
    } else {
      data.release();
    }
    if (endStream) {
      end();
    }
  }

  @Override
  public void responseTrailers(Http2Headers trailers) {
    if (owner == null || hold(() -> responseTrailers(trailers))) {
      return;
    }
    if (chunkedOut) {
      owner.responseBody(H2Fields.lastChunk(trailers));
      chunkedOut = false;
    }
    end();
  }

  private void end() {
    if (owner == null) {
      return;
    }
    ended = true;
    if (chunkedOut) {
      owner.responseBody(Unpooled.wrappedBuffer(LAST_CHUNK));
    }
    Http1Upstream.Owner o = owner;
    o.responseEnded(!closeDelimited);
  }

  @Override
  public void streamFailed(Throwable cause, boolean refused) {
    stream = null;
    Http1Upstream.Owner o = owner;
    owner = null;
    dropHeld();
    if (o != null) {
      o.upstreamFailed(cause, false);
    }
  }

  private void fail(Throwable cause) {
    H2Stream s = stream;
    streamFailed(cause, false);
    if (s != null) {
      s.cancel();
    }
  }

  @Override
  public void writabilityChanged(boolean writable) {
    if (owner != null) {
      owner.backendWritabilityChanged(writable);
    }
  }

  @Override
  public void readComplete() {
    if (owner != null) {
      owner.backendReadComplete();
    }
  }
}
