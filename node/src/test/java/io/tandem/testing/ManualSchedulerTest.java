package io.tandem.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {
  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  @Test
  void runsDueTasksInOrderWithTheClockAtTheirDueTime() {
    List<String> ran = new ArrayList<>();
    scheduler.schedule(Duration.ofMillis(30), () -> ran.add("c@" + clock.millis()));
    scheduler.schedule(Duration.ofMillis(10), () -> ran.add("a@" + clock.millis()));
    scheduler.schedule(Duration.ofMillis(10), () -> ran.add("b@" + clock.millis()));
    scheduler.schedule(Duration.ofMillis(50), () -> ran.add("late"));

    scheduler.advance(Duration.ofMillis(40));

    assertEquals(List.of("a@10", "b@10", "c@30"), ran);
    assertEquals(40, clock.millis());
    assertEquals(1, scheduler.pending());
  }

  @Test
  void runsTasksScheduledByTasksWhenTheyFallDueInTheWindow() {
    List<Long> ran = new ArrayList<>();
    Runnable[] tick = new Runnable[1];
    tick[0] = () -> {
      ran.add(clock.millis());
      scheduler.schedule(Duration.ofMillis(10), tick[0]);
    };
    scheduler.schedule(Duration.ZERO, tick[0]);

    scheduler.advance(Duration.ofMillis(35));

    assertEquals(List.of(0L, 10L, 20L, 30L), ran);
    assertEquals(1, scheduler.pending());
  }

  @Test
  void cancelledTasksNeverRun() {
    List<String> ran = new ArrayList<>();
    var handle = scheduler.schedule(Duration.ofMillis(5), () -> ran.add("x"));
    handle.cancel();
    handle.cancel();

    scheduler.advance(Duration.ofMillis(10));

    assertEquals(List.of(), ran);
    assertEquals(0, scheduler.pending());
  }

  @Test
  void clockRefusesToGoBack() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofMillis(-1)));
    assertEquals("a monotonic clock cannot go back: PT-0.001S", e.getMessage());
  }
}
