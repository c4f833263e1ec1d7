package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tandem.config.ActionConfig;
import io.tandem.proxy.h1.ChunkedFramer;
import io.tandem.proxy.h1.HeaderEdits;
import io.tandem.proxy.h1.ResponseHead;
import io.tandem.proxy.rules.Compression;
import java.nio.charset.StandardCharsets;

/**
 * A backend's HTTP/1.1 response body gzip-compressed on its way to an HTTP/1.1 client ({@code compress} action): the
 * response's fields for it, then each piece of the backend's body (with a {@code Content-Length}, or chunked: its data
 * taken out of the framing) compressed and sent as chunks, and the last chunk. On the exchange's event loop.
 */
final class GzipResponse {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

  private final Gzip gzip;
  private final ChunkedFramer dechunk;   // a chunked response's data, for the compressor
  private final ByteBufAllocator alloc;

  private GzipResponse(int level, boolean chunked, ByteBufAllocator alloc) {
    this.gzip = new Gzip(level);
    this.dechunk = chunked ? new ChunkedFramer() : null;
    this.alloc = alloc;
  }

  /**
   * The compressor for the response {@code h} when it is worth compressing for this client ({@code compress} set
   * only when the request admits gzip; {@code http11}: the client can take chunks), else null.
   */
  static GzipResponse of(ActionConfig.Compress compress, boolean http11, ResponseHead h, ByteBufAllocator alloc) {
    boolean framed = h.body() == ResponseHead.Body.LENGTH || h.body() == ResponseHead.Body.CHUNKED;
    if (compress == null || !http11 || !framed || !Compression.worthIt(compress, h.status(), h.get("content-type"),
        h.get("content-encoding"), h.get("content-range"), h.get("cache-control"),
        h.body() == ResponseHead.Body.LENGTH ? h.contentLength() : -1)) {
      return null;
    }
    return new GzipResponse(compress.level(), h.body() == ResponseHead.Body.CHUNKED, alloc);
  }

  /** The response's fields for its gzip-compressed body: sent chunked, the backend's length and strong tag gone. */
  static HeaderEdits fields(HeaderEdits edits, String etag) {
    edits.remove("content-length");
    edits.set("Content-Encoding", "gzip");
    edits.set("Transfer-Encoding", "chunked");
    edits.add("Vary", "Accept-Encoding");
    if (etag != null) {
      edits.set("ETag", Compression.weakened(etag));
    }
    return edits;
  }

  /** The compressed chunk to send for a piece of the backend's body ({@code slice}, released), or null for none yet. */
  ByteBuf piece(ByteBuf slice) {
    if (dechunk == null) {
      return chunk(gzip.compress(alloc, slice));
    }
    ByteBuf[] out = {null};
    dechunk.scan(slice, (buf, index, length) -> {
      ByteBuf z = gzip.compress(alloc, buf.retainedSlice(index, length));
      if (z != null) {
        out[0] = out[0] == null ? z : alloc.compositeBuffer().addComponents(true, out[0], z);
      }
    });
    slice.release();
    return chunk(out[0]);
  }

  /** The last compressed bytes with the gzip trailer and the closing chunk; the compressor is closed. */
  ByteBuf last() {
    ByteBuf tail = chunk(gzip.finish(alloc));
    return alloc.compositeBuffer(2).addComponents(true, tail, Unpooled.wrappedBuffer(LAST_CHUNK));
  }

  /** Frees the compressor (every ending; idempotent). */
  void close() {
    gzip.close();
  }

  /** {@code data} (may be null: nothing) framed as one chunk of a chunked body. */
  private ByteBuf chunk(ByteBuf data) {
    if (data == null || !data.isReadable()) {
      if (data != null) {
        data.release();
      }
      return null;
    }
    ByteBuf size = alloc.buffer(12);
    size.writeCharSequence(Integer.toHexString(data.readableBytes()), StandardCharsets.US_ASCII);
    size.writeBytes(CRLF);
    return alloc.compositeBuffer(3).addComponents(true, size, data, Unpooled.wrappedBuffer(CRLF));
  }
}
