package io.tandem.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.RateLimitConfig;
import io.tandem.testing.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final ManualClock clock = new ManualClock();

  static RateLimitConfig rule(long rate, int burst, int maxKeys) {
    return new RateLimitConfig("r", null, null, null, RateLimitConfig.Key.SOURCE, null, rate, Duration.ofSeconds(1),
        burst, maxKeys);
  }

  @Test
  void burstThenRefusedWithTheWaitUntilTheNextToken() {
    RateLimiter r = new RateLimiter(rule(10, 3, 100), clock.nanoTime());
    assertEquals(2, r.tryAcquire("a", clock.nanoTime()));
    assertEquals(1, r.tryAcquire("a", clock.nanoTime()));
    assertEquals(0, r.tryAcquire("a", clock.nanoTime()));
    long refused = r.tryAcquire("a", clock.nanoTime());
    assertEquals(-Duration.ofMillis(100).toNanos(), refused);
    assertEquals(2, r.tryAcquire("b", clock.nanoTime()), "another key has its own bucket");
    clock.advance(Duration.ofMillis(100));
    assertEquals(0, r.tryAcquire("a", clock.nanoTime()), "one token refilled after 1/rate");
    assertEquals(3 + 1, r.admitted() - 1);
    assertEquals(1, r.refused());
  }

  @Test
  void sustainedLoadIsAdmittedAtTheRate() {
    RateLimiter r = new RateLimiter(rule(50, 10, 100), clock.nanoTime());
    int admitted = 0;
    for (int ms = 0; ms < 10_000; ms++) {    // 1000 requests/s offered for 10 s
      if (r.tryAcquire("k", clock.nanoTime()) >= 0) {
        admitted++;
      }
      clock.advance(Duration.ofMillis(1));
    }
    assertEquals(50 * 10 + 10, admitted, 1);
  }

  @Test
  void otherNodesAdmissionsAreDebited() {
    RateLimiter r = new RateLimiter(rule(10, 5, 100), clock.nanoTime());
    r.debit("a", 4, clock.nanoTime());
    assertEquals(0, r.tryAcquire("a", clock.nanoTime()));
    assertTrue(r.tryAcquire("a", clock.nanoTime()) < 0);
    assertEquals(Duration.ofMillis(500).toNanos(), r.nanosUntilFull("a", clock.nanoTime()));
  }

  @Test
  void admissionsAreDrainedOnceForPublication() {
    RateLimiter r = new RateLimiter(rule(100, 10, 100), clock.nanoTime());
    r.tryAcquire("a", clock.nanoTime());
    r.tryAcquire("a", clock.nanoTime());
    r.tryAcquire("b", clock.nanoTime());
    Map<String, Long> out = new HashMap<>();
    r.drainAdmissions(out::put);
    assertEquals(Map.of("a", 2L, "b", 1L), out);
    out.clear();
    r.drainAdmissions(out::put);
    assertEquals(Map.of(), out);
  }

  @Test
  void fullBucketsExpireAndMaxKeysSendsNewKeysToOneOverflowBucket() {
    RateLimiter r = new RateLimiter(rule(10, 2, 2), clock.nanoTime());
    r.tryAcquire("a", clock.nanoTime());
    r.tryAcquire("b", clock.nanoTime());
    assertEquals(2, r.trackedKeys());
    assertEquals(1, r.tryAcquire("c", clock.nanoTime()), "c shares the overflow bucket");
    assertEquals(0, r.tryAcquire("d", clock.nanoTime()), "d too");
    assertTrue(r.tryAcquire("e", clock.nanoTime()) < 0, "the overflow bucket is empty");
    assertEquals(3, r.overflowed());
    Map<String, Long> drained = new HashMap<>();
    r.drainAdmissions(drained::put);
    r.expire(clock.nanoTime());
    assertEquals(2, r.trackedKeys(), "not full yet");
    clock.advance(Duration.ofMillis(100));
    r.expire(clock.nanoTime());
    assertEquals(0, r.trackedKeys(), "full again: gone");
    assertEquals(1, r.tryAcquire("c", clock.nanoTime()), "c now has a bucket of its own");
  }
}
