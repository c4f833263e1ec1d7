package io.tandem.proxy.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import org.junit.jupiter.api.Test;

/** What a backend's HTTP/2 response head may carry before Tandem passes it on (RFC 9113 section 8.2.1). */
class H2StreamTest {
  private static DefaultHttp2Headers head(String name, String value) {
    DefaultHttp2Headers h = new DefaultHttp2Headers(false);
    h.status("200");
    h.add("content-type", "text/plain");
    h.add(name, value);
    return h;
  }

  @Test
  void lowerCaseTokensAndPlainValuesPass() {
    assertNull(H2Stream.invalidField(head("x-backend_id.1~", "a b\tc, d")));
  }

  @Test
  void namesOutsideLowerCaseTokensAreRefused() {
    assertEquals("X-Upper", H2Stream.invalidField(head("X-Upper", "v")));
    assertEquals("a b", H2Stream.invalidField(head("a b", "v")));
    assertEquals("a:b", H2Stream.invalidField(head("a:b", "v")));
    assertEquals("a(b)", H2Stream.invalidField(head("a(b)", "v")));
    assertEquals("(empty name)", H2Stream.invalidField(head("", "v")));
  }

  @Test
  void valuesThatWouldSplitAnHttp1HeadAreRefused() {
    assertEquals("x-split", H2Stream.invalidField(head("x-split", "a\r\nset-cookie: evil=1")));
    assertEquals("x-lf", H2Stream.invalidField(head("x-lf", "a\nb")));
    assertEquals("x-nul", H2Stream.invalidField(head("x-nul", "a\0b")));
  }
}
