package io.tandem.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.config.ListenerConfig;
import io.tandem.util.Outcome;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class RequestFramingTest {
  private static final ListenerConfig.Limits LIMITS = new ListenerConfig.Limits(8192, 16384, 100, 3);

  private static RequestFraming check(String... nameValues) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      headers.add(nameValues[i], nameValues[i + 1]);
    }
    return RequestFraming.check(headers, LIMITS);
  }

  @Test
  void bodiesAreAnnouncedByChunkingOrAPositiveLength() {
    assertEquals(new RequestFraming(null, null, false), check("Host", "a"));
    assertEquals(new RequestFraming(null, null, false), check("Host", "a", "Content-Length", "0"));
    assertEquals(new RequestFraming(null, null, true), check("Host", "a", "Content-Length", "100"));
    assertEquals(new RequestFraming(null, null, true), check("Host", "a", "Transfer-Encoding", "chunked"));
  }

  @Test
  void refusalsSayWhy() {
    assertEquals(new RequestFraming(Outcome.BODY_TOO_LARGE, "Content-Length 101 over 100", false),
        check("Content-Length", "101"));
    assertEquals(new RequestFraming(Outcome.BAD_REQUEST, "invalid Content-Length", false),
        check("Content-Length", "-1"));
    assertEquals(new RequestFraming(Outcome.BAD_REQUEST, "invalid Content-Length", false),
        check("Content-Length", "12x"));
    assertEquals(new RequestFraming(Outcome.TOO_MANY_HEADERS, "more than 3 header fields", false),
        check("a", "1", "b", "2", "c", "3", "d", "4"));
  }
}
