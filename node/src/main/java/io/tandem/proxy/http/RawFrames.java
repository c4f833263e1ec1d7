package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http3.Http3Headers;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP/3 frames encoded by hand, for the one frame of an answer that must share its STREAM frame with the FIN
 * ({@link H3Answer#finish}): DATA, and HEADERS with a QPACK field section of literal lines only (no table, no
 * Huffman coding; RFC 9204 4.5.6), which any decoder reads whatever its table settings.
 */
final class RawFrames {
  private static final int DATA = 0x00;
  private static final int HEADERS = 0x01;

  private RawFrames() {}

  /** A DATA frame around {@code payload} (taken over). */
  static ByteBuf data(ByteBufAllocator alloc, ByteBuf payload) {
    ByteBuf head = alloc.buffer(9);
    head.writeByte(DATA);
    varInt(head, payload.readableBytes());
    return Unpooled.wrappedBuffer(head, payload);
  }

  /** A HEADERS frame with {@code fields} (names already in lower case). */
  static ByteBuf headers(ByteBufAllocator alloc, Http3Headers fields) {
    ByteBuf section = alloc.buffer(256);
    section.writeByte(0);   // Required Insert Count 0: no dynamic table
    section.writeByte(0);   // Delta Base 0
    for (Map.Entry<CharSequence, CharSequence> e : fields) {
      literal(section, e.getKey(), 0x20, 3);    // 001 N=0 H=0, name length on 3 bits
      literal(section, e.getValue(), 0x00, 7);  // H=0, value length on 7 bits
    }
    ByteBuf frame = alloc.buffer(section.readableBytes() + 9);
    frame.writeByte(HEADERS);
    varInt(frame, section.readableBytes());
    frame.writeBytes(section);
    section.release();
    return frame;
  }

  private static void literal(ByteBuf out, CharSequence s, int pattern, int prefixBits) {
    byte[] b = s.toString().getBytes(StandardCharsets.ISO_8859_1);
    prefixInt(out, pattern, prefixBits, b.length);
    out.writeBytes(b);
  }

  /** An integer with an N-bit prefix (RFC 7541 5.1, as QPACK uses it). */
  static void prefixInt(ByteBuf out, int pattern, int prefixBits, long value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      out.writeByte(pattern | (int) value);
      return;
    }
    out.writeByte(pattern | max);
    value -= max;
    while (value >= 128) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  /** A QUIC variable-length integer (RFC 9000 16). */
  static void varInt(ByteBuf out, long v) {
    if (v < 1 << 6) {
      out.writeByte((int) v);
    } else if (v < 1 << 14) {
      out.writeShort((int) (0x4000 | v));
    } else if (v < 1L << 30) {
      out.writeInt((int) (0x80000000L | v));
    } else {
      out.writeLong(0xC000000000000000L | v);
    }
  }
}
