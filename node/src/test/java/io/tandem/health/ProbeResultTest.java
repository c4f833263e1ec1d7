package io.tandem.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Errors that real sockets cannot produce reliably in a test, described as operators see them. */
class ProbeResultTest {
  private static final Duration TIMEOUT = Duration.ofMillis(1500);

  private static String describe(Throwable t) {
    return ProbeResult.failed(t, TIMEOUT, Duration.ZERO).detail();
  }

  @Test
  void timeouts() {
    assertEquals("timeout after 1500ms", describe(new TimeoutException("x")));
    assertEquals("timeout after 1500ms", describe(new ConnectTimeoutException("connection timed out: /10.0.0.1:80")));
  }

  @Test
  void connectFailures() {
    assertEquals("connection refused", describe(new ConnectException("Connection refused: /127.0.0.1:9")));
    assertEquals("connect failed: Network is unreachable", describe(new ConnectException("Network is unreachable")));
  }

  @Test
  void unknownHost() {
    assertEquals("unknown host: nowhere.invalid", describe(new UnknownHostException("nowhere.invalid")));
  }

  @Test
  void anythingElse() {
    assertEquals("error: boom", describe(new IllegalStateException("boom")));
    assertEquals("error: IllegalStateException", describe(new IllegalStateException()));
  }
}
