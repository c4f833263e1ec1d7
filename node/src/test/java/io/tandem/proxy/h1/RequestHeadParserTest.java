package io.tandem.proxy.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The request head parser on every rule, whole and a byte at a time. */
class RequestHeadParserTest {

  private static RequestHeadParser parser() {
    return new RequestHeadParser(64, 256, 10, false);
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  /** Parses {@code text} delivered whole; the caller releases the head. */
  private static ParseResult<RequestHead> whole(String text) {
    ByteBuf in = bytes(text);
    try {
      return parser().parse(in);
    } finally {
      in.release();
    }
  }

  /** Parses {@code text} delivered one byte at a time into a growing buffer. */
  private static ParseResult<RequestHead> byteAtATime(String text) {
    RequestHeadParser p = parser();
    ByteBuf in = Unpooled.buffer();
    try {
      byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
      for (byte x : b) {
        in.writeByte(x);
        ParseResult<RequestHead> r = p.parse(in);
        if (!r.needMore()) {
          return r;
        }
      }
      return ParseResult.needMoreBytes();
    } finally {
      in.release();
    }
  }

  @Test
  void aValidHeadIsReadInPlace() {
    String text = "POST /a/b?x=1&y HTTP/1.1\r\nHost: shop.example.com:8080\r\nX-Tier:  gold \r\n"
        + "Content-Length: 5\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nExpect: 100-Continue\r\n"
        + "X_Under: 1\r\n\r\n";
    for (ParseResult<RequestHead> r : List.of(whole(text), byteAtATime(text))) {
      RequestHead h = r.head();
      assertNotNull(h, r.reason());
      assertEquals(text.length(), h.length());
      assertSame("POST", h.method());
      assertEquals("/a/b?x=1&y", h.uri());
      assertEquals("/a/b", h.path());
      assertEquals("x=1&y", h.query());
      assertEquals(1, h.versionMinor());
      assertEquals(7, h.headerCount());
      assertEquals("shop.example.com:8080", h.host());
      assertEquals("gold", h.get(AsciiName.of("X-TIER")));
      assertEquals("X-Tier", h.name(1));
      assertEquals(text.indexOf("X-Tier"), h.lineStart(1));
      assertEquals(text.indexOf("Content-Length"), h.lineEnd(1));
      assertEquals(text.indexOf("Host"), h.headerBlockStart());
      assertEquals(5, h.contentLength());
      assertFalse(h.chunked());
      assertTrue(h.keepAlive());
      assertTrue(h.upgrade());
      assertTrue(h.expectContinue());
      assertTrue(h.dropped(6), "an underscore name is dropped by default");
      assertFalse(h.dropped(0));
      assertTrue(h.valueHasToken(h.indexOf(HeaderNames.CONNECTION), "upgrade"));
    }
  }

  @Test
  void keepAliveFollowsTheVersionAndConnection() {
    assertKeepAlive(true, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assertKeepAlive(false, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    assertKeepAlive(false, "GET / HTTP/1.0\r\n\r\n");
    assertKeepAlive(true, "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  }

  private static void assertKeepAlive(boolean expected, String text) {
    RequestHead h = whole(text).head();
    assertNotNull(h, text);
    assertEquals(expected, h.keepAlive(), text);
  }

  @Test
  void targetForms() {
    RequestHead abs = whole("GET http://example.com/p/q?z HTTP/1.1\r\nHost: example.com\r\n\r\n").head();
    assertEquals("/p/q", abs.path());
    RequestHead bare = whole("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").head();
    assertEquals("/", bare.path());
    RequestHead star = whole("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").head();
    assertEquals("*", star.uri());
    RequestHead connect = whole("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n").head();
    assertEquals("h:443", connect.uri());
  }

  @Test
  void pipelinedHeadsAreReadOneByOne() {
    ByteBuf in = bytes("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3");
    RequestHeadParser p = parser();
    List<String> uris = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ParseResult<RequestHead> r = p.parse(in);
      if (r.head() != null) {
        uris.add(r.head().uri());
      } else {
        assertTrue(r.needMore());
      }
    }
    assertEquals(List.of("/1", "/2"), uris);
    assertEquals("GET /3", in.toString(StandardCharsets.ISO_8859_1), "the reader index stops at the third");
    in.release();
  }

  @Test
  void leadingEmptyLinesAreSkipped() {
    RequestHead h = whole("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").head();
    assertNotNull(h);
    assertEquals("GET / HTTP/1.1\r\nHost: h\r\n\r\n", new String(h.bytes, StandardCharsets.ISO_8859_1));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @CsvSource(delimiter = '|', value = {
      "400 | GET / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
          + " | both Transfer-Encoding and Content-Length",
      "400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n | unsupported Transfer-Encoding",
      "400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n"
          + " | unsupported Transfer-Encoding",
      "400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
          + " | unsupported Transfer-Encoding",
      "400 | POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | Transfer-Encoding on HTTP/1.0",
      "400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\n"
          + " | invalid or conflicting Content-Length",
      "400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3, 4\\r\\n\\r\\n | invalid or conflicting Content-Length",
      "400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: +3\\r\\n\\r\\n | invalid or conflicting Content-Length",
      "400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length:\\r\\n\\r\\n | invalid or conflicting Content-Length",
      "400 | GET / HTTP/1.1\\r\\n\\r\\n | HTTP/1.1 request without Host",
      "400 | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n | more than one Host header",
      "400 | GET / HTTP/1.1\\r\\nHost: a/b\\r\\n\\r\\n | invalid Host",
      "400 | GET / HTTP/1.1\\nHost: h\\r\\n\\r\\n | line ending in a bare LF",
      "400 | GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\rb\\r\\n\\r\\n | invalid character in a header field value",
      "400 | GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\u0000b\\r\\n\\r\\n | invalid character in a header field value",
      "400 | GET / HTTP/1.1\\r\\nHost: h\\r\\nX : a\\r\\n\\r\\n | white space before the colon of a header field",
      "400 | GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\r\\n b\\r\\n\\r\\n | obsolete line folding",
      "400 | GET / HTTP/1.1\\r\\nHost: h\\r\\n: a\\r\\n\\r\\n | empty header field name",
      "400 | GET / HTTP/1.1\\r\\nHost: h\\r\\nNoColon\\r\\n\\r\\n | header line without a colon",
      "400 | GET  / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n | malformed request line",
      "400 | GET / HTTP/1.1 \\r\\nHost: h\\r\\n\\r\\n | malformed HTTP version",
      "400 | G(T / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n | invalid method",
      "400 | GET * HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n | asterisk-form target with GET",
      "400 | GET x HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n | invalid request target",
      "400 | GET /a\\u007fb HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n | invalid character in the request target",
      "400 | GET / http/1.1\\r\\nHost: h\\r\\n\\r\\n | malformed HTTP version",
      "505 | GET / HTTP/2.0\\r\\nHost: h\\r\\n\\r\\n | unsupported HTTP version",
      "505 | GET / HTTP/1.2\\r\\nHost: h\\r\\n\\r\\n | unsupported HTTP version",
      "414 | GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\\r\\n\\r\\n"
          + " | start line longer than 64 bytes",
      "431 | GET / HTTP/1.1\\r\\nHost: h\\r\\nX: " + "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
          + "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
          + "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\\r\\n\\r\\n"
          + " | header block larger than 256 bytes",
      "431 | GET / HTTP/1.1\\r\\nHost: h\\r\\na: 1\\r\\nb: 1\\r\\nc: 1\\r\\nd: 1\\r\\ne: 1\\r\\nf: 1\\r\\ng: 1\\r\\n"
          + "h: 1\\r\\ni: 1\\r\\nj: 1\\r\\n\\r\\n | more than 10 header fields",
  })
  void refusals(int status, String escaped, String reason) {
    String text = escaped.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\u0000")
        .replace("\\u007f", "\u007f");
    for (ParseResult<RequestHead> r : List.of(whole(text), byteAtATime(text))) {
      assertNull(r.head(), text);
      assertEquals(status, r.status(), r.reason());
      assertEquals(reason, r.reason());
    }
  }

  @Test
  void identicalRepeatedLengthsAndAllowedUnderscoresAreAccepted() {
    RequestHead h = whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\nContent-Length: 7, 7\r\n\r\n").head();
    assertEquals(7, h.contentLength());
    ByteBuf in = bytes("GET / HTTP/1.1\r\nHost: h\r\nTransfer_Encoding: chunked\r\n\r\n");
    RequestHead allowed = new RequestHeadParser(64, 256, 10, true).parse(in).head();
    assertFalse(allowed.dropped(1));
    assertFalse(allowed.chunked(), "an underscore name is never a framing header");
    in.release();
    RequestHead dropped = whole("GET / HTTP/1.1\r\nHost: h\r\nContent_Length: 5\r\n\r\n").head();
    assertEquals(-1, dropped.contentLength());
  }

  @Test
  void anIncompleteHeadConsumesNothing() {
    ByteBuf in = bytes("GET / HTTP/1.1\r\nHost: h\r\n");
    assertTrue(parser().parse(in).needMore());
    assertEquals(0, in.readerIndex());
    in.release();
  }
}
