package io.tandem.proxy.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The forwarded head, spliced from the client's bytes: what stays byte-identical, what goes, what is added. */
class HeadWriterTest {

  private static String forward(String request, boolean upgrade) {
    ByteBuf in = Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1);
    RequestHeadParser parser = new RequestHeadParser(8192, 16384, 100, false);
    ParseResult<RequestHead> r = parser.parse(in);
    RequestHead head = r.head();
    assertNotNull(head, r.reason());
    ByteBuf out = HeadWriter.request(ByteBufAllocator.DEFAULT, head, "10.1.2.3", "https", "rid-1", upgrade);
    try {
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
      in.release();
    }
  }

  @Test
  void copiesTheRequestLineAndEndToEndHeadersAsTheyCameAndAddsTheForwardingHeaders() {
    String out = forward("GET /a%20b?x=1 HTTP/1.1\r\nHost: Shop.Example.com:8080\r\nX-Odd-Case:  spaced \r\n"
        + "Accept: */*\r\n\r\n", false);
    assertEquals("GET /a%20b?x=1 HTTP/1.1\r\nHost: Shop.Example.com:8080\r\nX-Odd-Case:  spaced \r\n"
        + "Accept: */*\r\n"
        + "X-Forwarded-For: 10.1.2.3\r\n"
        + "X-Forwarded-Proto: https\r\n"
        + "X-Forwarded-Host: Shop.Example.com:8080\r\n"
        + "Forwarded: for=10.1.2.3;host=\"Shop.Example.com:8080\";proto=https\r\n"
        + "X-Request-Id: rid-1\r\n\r\n", out);
  }

  @Test
  void dropsHopByHopHeadersTheOnesConnectionNamesAndUnderscoreNames() {
    String out = forward("POST /p HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\n"
        + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\n"
        + "Upgrade: websocket\r\nProxy-Authorization: Basic x\r\nX_Custom: u\r\nContent-Length: 3\r\n"
        + "X-Forwarded-Proto: gopher\r\nX-Request-Id: client-chosen\r\n\r\n", false);
    assertEquals("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
        + "X-Forwarded-For: 10.1.2.3\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: h\r\n"
        + "Forwarded: for=10.1.2.3;host=h;proto=https\r\nX-Request-Id: rid-1\r\n\r\n", out);
  }

  @Test
  void appendsTheClientToEveryForwardedForAndForwardedValueThatCame() {
    String out = forward("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2\r\n"
        + "Forwarded: for=1.1.1.1\r\n\r\n", false);
    assertEquals("GET / HTTP/1.1\r\nHost: h\r\n"
        + "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.1.2.3\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: h\r\n"
        + "Forwarded: for=1.1.1.1, for=10.1.2.3;host=h;proto=https\r\nX-Request-Id: rid-1\r\n\r\n", out);
  }

  @Test
  void aProtocolSwitchKeepsUpgradeAndSaysConnectionUpgrade() {
    String out = forward("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Key: k\r\n\r\n", true);
    assertEquals("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n"
        + "Connection: upgrade\r\n"
        + "X-Forwarded-For: 10.1.2.3\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: h\r\n"
        + "Forwarded: for=10.1.2.3;host=h;proto=https\r\nX-Request-Id: rid-1\r\n\r\n", out);
  }

  @Test
  void anHttp10RequestWithoutHostGetsNoForwardedHost() {
    String out = forward("GET / HTTP/1.0\r\n\r\n", false);
    assertEquals("GET / HTTP/1.0\r\nX-Forwarded-For: 10.1.2.3\r\nX-Forwarded-Proto: https\r\n"
        + "Forwarded: for=10.1.2.3;proto=https\r\nX-Request-Id: rid-1\r\n\r\n", out);
  }

  @Test
  void aRepeatedOrListedLengthGoesOutOnce() {
    for (String fields : new String[] {"Content-Length: 3\r\nContent-Length: 3\r\n", "Content-Length: 3, 3\r\n"}) {
      String out = forward("POST / HTTP/1.0\r\n" + fields + "X-A: 1\r\n\r\nabc", false);
      assertEquals("POST / HTTP/1.0\r\nX-A: 1\r\nContent-Length: 3\r\nX-Forwarded-For: 10.1.2.3\r\n"
          + "X-Forwarded-Proto: https\r\nForwarded: for=10.1.2.3;proto=https\r\nX-Request-Id: rid-1\r\n\r\n", out);
    }
  }
}
