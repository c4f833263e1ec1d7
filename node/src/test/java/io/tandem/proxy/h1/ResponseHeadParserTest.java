package io.tandem.proxy.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The response head parser: framing by status, request method, length and coding; refusals; byte-at-a-time. */
class ResponseHeadParserTest {

  private static ResponseHeadParser parser() {
    return new ResponseHeadParser(128, 512, 20);
  }

  /** Parses {@code text} whole and byte at a time; both must agree. The caller releases the head. */
  private static ParseResult<ResponseHead> parse(String text, boolean headRequest) {
    ParseResult<ResponseHead> whole = once(text, headRequest);
    ParseResult<ResponseHead> bytes = byteAtATime(text, headRequest);
    assertEquals(whole.status(), bytes.status(), "same answer a byte at a time: " + text);
    assertEquals(whole.needMore(), bytes.needMore());
    if (bytes.head() != null) {
      assertEquals(whole.head().body(), bytes.head().body());
      assertEquals(whole.head().reusable(), bytes.head().reusable());
    }
    return whole;
  }

  private static ParseResult<ResponseHead> once(String text, boolean headRequest) {
    ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    try {
      return parser().parse(in, headRequest);
    } finally {
      in.release();
    }
  }

  private static ParseResult<ResponseHead> byteAtATime(String text, boolean headRequest) {
    ResponseHeadParser p = parser();
    ByteBuf in = Unpooled.buffer();
    try {
      for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
        in.writeByte(b);
        ParseResult<ResponseHead> r = p.parse(in, headRequest);
        if (!r.needMore()) {
          return r;
        }
      }
      return ParseResult.needMoreBytes();
    } finally {
      in.release();
    }
  }

  private static ResponseHead head(String text, boolean headRequest) {
    ParseResult<ResponseHead> r = parse(text, headRequest);
    assertNotNull(r.head(), () -> "refused: " + r.reason());
    return r.head();
  }

  @Test
  void lengthFramedKeepAlive() {
    ResponseHead h = head("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-A: 1\r\n\r\nbody follows", false);
    assertEquals(200, h.status());
    assertEquals(ResponseHead.Body.LENGTH, h.body());
    assertEquals(12, h.contentLength());
    assertTrue(h.reusable());
    assertEquals("1", h.get(AsciiName.of("x-a")));
  }

  @Test
  void chunkedAndCloseDelimited() {
    ResponseHead chunked = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false);
    assertEquals(ResponseHead.Body.CHUNKED, chunked.body());
    assertTrue(chunked.reusable());
    ResponseHead close = head("HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n", false);
    assertEquals(ResponseHead.Body.CLOSE, close.body(), "no length: the body ends when the backend closes");
    assertFalse(close.reusable());
    ResponseHead gzip = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false);
    assertEquals(ResponseHead.Body.CLOSE, gzip.body(), "a coding other than chunked last is close-delimited");
  }

  @Test
  void transferEncodingWinsOverContentLengthAndTheConnectionIsNotReused() {
    ResponseHead h = head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", false);
    assertEquals(ResponseHead.Body.CHUNKED, h.body());
    assertTrue(h.lengthIgnored());
    assertFalse(h.reusable());
    assertEquals(-1, h.contentLength());
  }

  @Test
  void connectionHeaderAndVersionDecideReuse() {
    ResponseHead close = head("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", false);
    assertFalse(close.reusable());
    ResponseHead old = head("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false);
    assertFalse(old.reusable(), "HTTP/1.0 closes unless it says keep-alive");
    ResponseHead oldKeep = head("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n", false);
    assertTrue(oldKeep.reusable());
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"})
  void statusesWithoutABody(String text) {
    ResponseHead h = head(text, false);
    assertEquals(ResponseHead.Body.NONE, h.body());
    assertTrue(h.reusable());
  }

  @Test
  void aResponseToHeadHasNoBodyWhateverItAnnounces() {
    ResponseHead h = head("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", true);
    assertEquals(ResponseHead.Body.NONE, h.body());
    assertEquals(1000, h.contentLength(), "the length of what a GET would have got, passed on as it came");
    assertTrue(h.reusable());
  }

  @Test
  void interimResponses() {
    ResponseHead cont = head("HTTP/1.1 100 Continue\r\n\r\n", false);
    assertTrue(cont.interim());
    assertEquals(ResponseHead.Body.NONE, cont.body());
    ResponseHead hints = head("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n", false);
    assertTrue(hints.interim());
    ResponseHead up = head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        false);
    assertEquals(101, up.status());
  }

  @Test
  void aCustomReasonPhraseAndNoneAtAllAreAccepted() {
    ResponseHead custom = head("HTTP/1.1 299 Quite Alright\r\nContent-Length: 0\r\n\r\n", false);
    assertEquals(299, custom.status());
    ResponseHead bare = head("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false);
    assertEquals(200, bare.status());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "HTTP/2.0 200 OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 099 Low\r\n\r\n",
      "HTTX/1.1 200 OK\r\n\r\n",
      "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX A: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\n\r\n",
  })
  void illFormedOrAmbiguousResponsesAreRefusedWith502(String text) {
    ParseResult<ResponseHead> r = parse(text, false);
    assertNull(r.head(), text);
    assertEquals(502, r.status(), text);
    assertNotNull(r.reason());
  }

  @Test
  void oversizedHeadsAreRefused() {
    assertEquals(502, parse("HTTP/1.1 200 " + "x".repeat(200) + "\r\n\r\n", false).status());
    assertEquals(502, parse("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(600) + "\r\n\r\n", false).status());
  }

  @Test
  void theClientBoundHeadKeepsTheStatusLineAndDropsHopByHopHeaders() {
    ResponseHead h = head("HTTP/1.1 299 Quite Alright\r\nConnection: X-Internal, keep-alive\r\nX-Internal: 1\r\n"
        + "Keep-Alive: timeout=5\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n"
        + "Strict-Transport-Security: max-age=1\r\nX-Public: 2\r\n\r\n", false);
    ByteBuf out = HeadWriter.response(ByteBufAllocator.DEFAULT, h, false, "close", "max-age=63072000",
        "SRV=abc; Path=/");
    try {
      assertEquals("HTTP/1.1 299 Quite Alright\r\nTransfer-Encoding: chunked\r\nX-Public: 2\r\n"
          + "Connection: close\r\nStrict-Transport-Security: max-age=63072000\r\nSet-Cookie: SRV=abc; Path=/\r\n\r\n",
          out.toString(StandardCharsets.ISO_8859_1));
    } finally {
      out.release();
    }
  }

  @Test
  void anUpgradeKeepsItsUpgradeHeader() {
    ResponseHead h = head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: x\r\n\r\n", false);
    ByteBuf out = HeadWriter.response(ByteBufAllocator.DEFAULT, h, true, "upgrade", null, null);
    try {
      assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: x\r\n"
          + "Connection: upgrade\r\n\r\n", out.toString(StandardCharsets.ISO_8859_1));
    } finally {
      out.release();
    }
  }
}
