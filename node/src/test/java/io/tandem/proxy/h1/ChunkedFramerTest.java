package io.tandem.proxy.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Chunked framing checked as it passes: where the body ends, what is refused, at any split. */
class ChunkedFramerTest {

  /** Feeds {@code body} in pieces of {@code piece} bytes; the bytes the framer claimed, or -1. */
  private static long feed(ChunkedFramer f, String body, int piece) {
    byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
    long claimed = 0;
    for (int i = 0; i < b.length && !f.done(); i += piece) {
      ByteBuf buf = Unpooled.wrappedBuffer(b, i, Math.min(piece, b.length - i));
      int n = f.scan(buf);
      buf.release();
      if (n < 0) {
        return -1;
      }
      claimed += n;
    }
    return claimed;
  }

  @Test
  void aBodyWithExtensionsAndTrailersEndsExactlyBeforeTheNextRequest() {
    String body = "5;name=value;q=\"x y\"\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 1\r\nX-T: a b\r\n\r\n";
    String next = "GET /next HTTP/1.1\r\n";
    for (int piece : new int[] {1, 2, 3, 7, 1000}) {
      ChunkedFramer f = new ChunkedFramer();
      assertEquals(body.length(), feed(f, body + next, piece), "piece " + piece);
      assertTrue(f.done());
      assertNull(f.error());
      assertEquals(31, f.dataBytes());
      assertTrue(f.hasTrailers());
    }
  }

  @Test
  void theSmallestBodyAndReuse() {
    ChunkedFramer f = new ChunkedFramer();
    assertEquals(5, feed(f, "0\r\n\r\n", 1));
    assertTrue(f.done());
    assertFalse(f.hasTrailers());
    f.reset();
    assertFalse(f.done());
    assertEquals(10, feed(f, "1\r\nx\r\n0\r\n\r\n".substring(0, 10), 4));
    assertFalse(f.done(), "the final CRLF has not arrived");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "x\\r\\n | chunk size expected",
      "5x\\r\\nhello | invalid character in a chunk size",
      "11111111111111111\\r\\n | chunk size too large",
      "5\\nhello | invalid character in a chunk size",
      "5\\r\\nhelloX | chunk data not followed by CRLF",
      "5\\r\\nhello\\rX | chunk data not followed by CRLF",
      "5\\rhello | chunk size line not ended by CRLF",
      "0\\r\\nBad Trailer\\r\\n\\r\\n | invalid trailer field",
      "0\\r\\nNoColon\\r\\n\\r\\n | trailer field without a colon",
      "0\\r\\n\\rX | chunked body not ended by CRLF",
      "1;a\\u0000\\r\\nx | invalid chunk extension",
      "0 \\r\\n\\r\\n | white space after a chunk size",
      "5\t;a=b\\r\\nhello | white space after a chunk size",
  })
  void refusals(String escaped, String reason) {
    String body = escaped.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\u0000");
    for (int piece : new int[] {1, 1000}) {
      ChunkedFramer f = new ChunkedFramer();
      assertEquals(-1, feed(f, body, piece));
      assertEquals(reason, f.error());
    }
  }

  @Test
  void extensionsAndTrailersAreBounded() {
    ChunkedFramer f = new ChunkedFramer();
    assertEquals(-1, feed(f, "1;" + "e".repeat(ChunkedFramer.MAX_EXTENSIONS + 1) + "\r\n", 100));
    assertEquals("chunk extensions too long", f.error());
    ChunkedFramer t = new ChunkedFramer();
    assertEquals(-1, feed(t, "0\r\nX: " + "v".repeat(ChunkedFramer.MAX_TRAILERS) + "\r\n\r\n", 100));
    assertEquals("trailer section too large", t.error());
  }

  @Test
  void aLengthBodyIsCountedAcrossPieces() {
    LengthFramer f = new LengthFramer(5);
    ByteBuf a = Unpooled.copiedBuffer("hel", StandardCharsets.US_ASCII);
    ByteBuf b = Unpooled.copiedBuffer("loGET", StandardCharsets.US_ASCII);
    assertEquals(3, f.scan(a));
    assertEquals(2, f.scan(b));
    assertTrue(f.done());
    assertEquals(0, f.remaining());
    a.release();
    b.release();
  }
}
