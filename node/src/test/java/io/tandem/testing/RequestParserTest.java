package io.tandem.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestParserTest {
  private final List<String> events = new ArrayList<>();
  private final RequestParser parser = newParser();

  private RequestParser newParser() {
    return new RequestParser(7, SocketAddress.inetSocketAddress(1234, "127.0.0.1"), new RequestParser.Listener() {
      @Override
      public void onHead(Received head) {
        events.add("head " + head.method() + " " + head.uri());
      }

      @Override
      public void onRequest(Received request) {
        events.add("request " + request.uri() + " body=" + request.bodyAsString());
      }

      @Override
      public void onError(String message) {
        events.add("error " + message);
      }
    });
  }

  @Test
  void parsesRequestsFedOneByteAtATimeAndPausesBetweenThem() {
    String two = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        + "\r\nPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n1\r\nz\r\n0\r\n\r\n";
    for (char c : two.toCharArray()) {
      parser.feed(Buffer.buffer(String.valueOf(c)));
    }
    assertEquals(List.of("head POST /a", "request /a body=abc"), events);
    parser.resume();
    assertEquals(List.of("head POST /a", "request /a body=abc", "head POST /b", "request /b body=xyz"), events);
  }

  @Test
  void keepsBytesAfterARequestForAnUpgrade() {
    parser.feed(Buffer.buffer("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\nrest"));
    assertEquals("rest", parser.takeRemaining().toString());
  }

  @Test
  void reportsMalformedRequests() {
    assertEquals("error malformed header line: NoColon", lastEvent("GET / HTTP/1.1\r\nNoColon\r\n\r\n"));
    assertEquals("error malformed header line: Bad : space", lastEvent("GET / HTTP/1.1\r\nBad : space\r\n\r\n"));
    assertEquals("error malformed request line: GET / SPDY/3", lastEvent("GET / SPDY/3\r\n\r\n"));
    assertEquals("error invalid Content-Length: 1,2",
        lastEvent("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"));
    assertEquals("error invalid chunk size: zz",
        lastEvent("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
    assertEquals("error missing CRLF after chunk data",
        lastEvent("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc"));
    assertEquals("error chunk line longer than 4096 bytes",
        lastEvent("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + "1".repeat(5000)));
    assertEquals("error request head larger than 65536 bytes", lastEvent("GET / HTTP/1.1\r\nX: " + "a".repeat(70000)));
  }

  private String lastEvent(String input) {
    events.clear();
    newParser().feed(Buffer.buffer(input));
    return events.get(events.size() - 1);
  }
}
