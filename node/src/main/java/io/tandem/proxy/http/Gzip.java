package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A response body compressed into the gzip format (RFC 1952) as it passes: each piece of the backend's body goes in,
 * what the deflater gives out comes back as a pooled buffer. One per response, on its event loop; {@link #close}
 * frees the deflater's native memory (called on every ending, idempotent).
 */
final class Gzip {
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final Deflater deflater;
  private final CRC32 crc = new CRC32();
  private final byte[] out = new byte[16 * 1024];
  private boolean headerWritten;
  private long size;
  private boolean closed;

  Gzip(int level) {
    deflater = new Deflater(level, true);
  }

  /** Compresses {@code in} (released); answers the bytes to send, or null when the deflater holds them for now. */
  ByteBuf compress(ByteBufAllocator alloc, ByteBuf in) {
    try {
      ByteBuffer nio = in.nioBuffer();
      crc.update(nio.duplicate());
      size += nio.remaining();
      deflater.setInput(nio);
      ByteBuf result = null;
      while (!deflater.needsInput()) {
        result = drain(alloc, result, Deflater.NO_FLUSH);
      }
      return result;
    } finally {
      in.release();
    }
  }

  /** The last compressed bytes and the gzip trailer; then the stream is closed. */
  ByteBuf finish(ByteBufAllocator alloc) {
    deflater.finish();
    ByteBuf result = alloc.buffer(64);
    if (!headerWritten) {
      result.writeBytes(HEADER);
      headerWritten = true;
    }
    while (!deflater.finished()) {
      int n = deflater.deflate(out);
      result.writeBytes(out, 0, n);
    }
    result.writeIntLE((int) crc.getValue());
    result.writeIntLE((int) size);
    close();
    return result;
  }

  private ByteBuf drain(ByteBufAllocator alloc, ByteBuf result, int flush) {
    int n = deflater.deflate(out, 0, out.length, flush);
    if (n == 0) {
      return result;
    }
    if (result == null) {
      result = alloc.buffer(n + HEADER.length);
    }
    if (!headerWritten) {
      result.writeBytes(HEADER);
      headerWritten = true;
    }
    result.writeBytes(out, 0, n);
    return result;
  }

  void close() {
    if (!closed) {
      closed = true;
      deflater.end();
    }
  }
}
