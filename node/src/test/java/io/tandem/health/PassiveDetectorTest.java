package io.tandem.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.HealthConfig;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PassiveDetectorTest {
  private static final Duration EJECTION = Duration.ofSeconds(30);

  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final AtomicInteger changes = new AtomicInteger();
  private int poolSize = 4;

  private PassiveDetector detector(int failures, int maxPercent) {
    return new PassiveDetector("web", new HealthConfig.Passive(failures, EJECTION, maxPercent), () -> poolSize,
        clock, scheduler, changes::incrementAndGet);
  }

  private static void fail(PassiveDetector d, String id, int times) {
    for (int i = 0; i < times; i++) {
      d.onFailure(id);
    }
  }

  @Test
  void ejectsAfterConsecutiveFailuresAndTellsOnTheControlPlane() {
    PassiveDetector d = detector(3, 50);
    fail(d, "a", 2);
    assertFalse(d.isEjected("a"));

    d.onFailure("a");
    assertTrue(d.isEjected("a"));
    assertEquals(Set.of("a"), d.ejectedIds());
    assertEquals(0, changes.get()); // not on the data path
    scheduler.runDue();
    assertEquals(1, changes.get());
    assertEquals(EJECTION, d.ejectionRemaining("a"));
    assertNull(d.ejectionRemaining("b"));
  }

  @Test
  void successResetsTheStreak() {
    PassiveDetector d = detector(3, 50);
    fail(d, "a", 2);
    d.onSuccess("a");
    fail(d, "a", 2);
    d.onSuccess("never-failed");
    assertFalse(d.isEjected("a"));
    d.onFailure("a");
    assertTrue(d.isEjected("a"));
  }

  @Test
  void returnsAfterEjectionTimeWithACleanStreak() {
    PassiveDetector d = detector(3, 50);
    fail(d, "a", 3);
    fail(d, "a", 5); // failures while out change nothing
    scheduler.runDue();
    assertEquals(1, changes.get());

    scheduler.advance(EJECTION.minusMillis(1));
    assertTrue(d.isEjected("a"));
    assertEquals(Duration.ofMillis(1), d.ejectionRemaining("a"));
    scheduler.advance(Duration.ofMillis(1));
    assertFalse(d.isEjected("a"));
    assertEquals(2, changes.get());
    assertEquals(0, scheduler.pending());

    fail(d, "a", 2);
    assertFalse(d.isEjected("a"));
    d.onFailure("a");
    assertTrue(d.isEjected("a"));
  }

  @Test
  void maxEjectionPercentCapsHowManyAreOutAtOnce() {
    PassiveDetector d = detector(2, 50); // 4 backends: at most 2 out
    fail(d, "a", 2);
    scheduler.advance(Duration.ofSeconds(10));
    fail(d, "b", 2);
    fail(d, "c", 2);
    assertEquals(Set.of("a", "b"), d.ejectedIds());

    scheduler.advance(Duration.ofSeconds(20)); // a returns
    assertEquals(Set.of("b"), d.ejectedIds());
    d.onFailure("c"); // still failing: now there is room
    assertEquals(Set.of("b", "c"), d.ejectedIds());
    scheduler.runDue();
    assertEquals(4, changes.get()); // a out, b out, a back, c out
  }

  @Test
  void roundingOfTheCap() {
    assertEquals(2, PassiveDetector.maxEjected(10, 25));
    assertEquals(1, PassiveDetector.maxEjected(3, 10)); // at least one when the percent is above 0
    assertEquals(1, PassiveDetector.maxEjected(1, 50));
    assertEquals(4, PassiveDetector.maxEjected(4, 100));
    assertEquals(0, PassiveDetector.maxEjected(4, 0));
  }

  @Test
  void zeroPercentNeverEjects() {
    PassiveDetector d = detector(1, 0);
    fail(d, "a", 10);
    scheduler.runDue();
    assertEquals(Set.of(), d.ejectedIds());
    assertEquals(0, changes.get());
  }

  @Test
  void concurrentFailuresEjectOnce() throws Exception {
    PassiveDetector d = detector(3, 100);
    int threads = 4;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        for (int i = 0; i < 1000; i++) {
          d.onFailure("a");
          d.onFailure("b");
        }
      });
      w.start();
      workers.add(w);
    }
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    scheduler.runDue();
    assertEquals(Set.of("a", "b"), d.ejectedIds());
    assertEquals(2, changes.get());
    assertEquals(2, scheduler.pending()); // one return timer each
  }

  @Test
  void retainOnlyForgetsRemovedBackends() {
    PassiveDetector d = detector(2, 100);
    fail(d, "a", 2);
    fail(d, "gone", 2);
    scheduler.runDue();
    d.retainOnly(List.of("a", "b"));
    assertEquals(Set.of("a"), d.ejectedIds());
    assertEquals(1, scheduler.pending());
  }

  @Test
  void closeCancelsReturnsAndStopsEjecting() {
    PassiveDetector d = detector(2, 100);
    fail(d, "a", 2);
    scheduler.runDue();
    d.close();
    assertEquals(0, scheduler.pending());
    fail(d, "b", 5);
    assertFalse(d.isEjected("b"));
  }
}
