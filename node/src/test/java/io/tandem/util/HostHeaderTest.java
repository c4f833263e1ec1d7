package io.tandem.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HostHeaderTest {
  @Test
  void splitsHostAndPort() {
    assertEquals("example.com", HostHeader.withoutPort("example.com"));
    assertEquals("example.com", HostHeader.withoutPort("example.com:8080"));
    assertEquals("[::1]", HostHeader.withoutPort("[::1]:8080"));
    assertEquals("[::1]", HostHeader.withoutPort("[::1]"));
    assertEquals(8080, HostHeader.port("example.com:8080"));
    assertEquals(8080, HostHeader.port("[::1]:8080"));
    assertEquals(-1, HostHeader.port("[::1]"));
    assertEquals(-1, HostHeader.port("example.com"));
    assertEquals(-1, HostHeader.port("example.com:"));
    assertEquals(-1, HostHeader.port("example.com:80a"));
    assertEquals(-1, HostHeader.port("example.com:123456"));
  }
}
