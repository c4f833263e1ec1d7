package io.tandem.proxy.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tandem.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The slow-head (slowloris) decision of one client connection, on a manual clock. */
class ConnectionGuardTest {
  private static final long TIMEOUT = Duration.ofMillis(1500).toNanos();
  private final ManualClock clock = new ManualClock();
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final ConnectionGuard guard = new ConnectionGuard(channel, clock);

  private boolean slowAfter(Duration d) {
    clock.advance(d);
    return guard.isSlow(clock.nanoTime(), TIMEOUT);
  }

  @Test
  void aClientThatConnectsAndSendsNothingIsSlowFromTheAccept() {
    assertFalse(slowAfter(Duration.ofMillis(1499)));
    assertTrue(slowAfter(Duration.ofMillis(1)));
  }

  @Test
  void theFirstHeadsTimeCountsFromTheAcceptNotFromItsFirstByte() {
    clock.advance(Duration.ofSeconds(1));
    guard.bytesArrived();
    assertTrue(slowAfter(Duration.ofMillis(500)), "a trickle of bytes does not restart the clock");
  }

  @Test
  void aCompleteHeadStopsTheClock() {
    guard.bytesArrived();
    guard.headReceived();
    assertFalse(slowAfter(Duration.ofMinutes(10)), "a request in flight has its own time-outs");
  }

  @Test
  void betweenRequestsTheClockStartsAtTheNextHeadsFirstByte() {
    guard.headReceived();
    guard.awaitNextHead();
    assertFalse(slowAfter(Duration.ofMinutes(10)), "an idle keep-alive connection is left to the idle time-out");
    guard.bytesArrived();
    assertFalse(slowAfter(Duration.ofMillis(1499)));
    guard.bytesArrived();
    assertTrue(slowAfter(Duration.ofMillis(1)), "more bytes of the same head do not restart the clock");
  }

  @Test
  void aClosedConnectionIsNotSlow() {
    channel.close();
    assertFalse(slowAfter(Duration.ofSeconds(2)));
  }

  @Test
  void expiringAnswers408AndCloses() {
    assertTrue(slowAfter(Duration.ofSeconds(2)));
    guard.expire();
    channel.runPendingTasks();
    ByteBuf out = channel.readOutbound();
    try {
      String answer = out.toString(US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
      assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
    } finally {
      out.release();
    }
    assertFalse(channel.isActive());
    assertFalse(guard.isSlow(clock.nanoTime(), TIMEOUT), "answered once");
  }
}
