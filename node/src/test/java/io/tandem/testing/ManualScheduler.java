package io.tandem.testing;

import io.tandem.util.Scheduler;
import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} on a {@link ManualClock}: tasks run only inside {@link #advance}, in due-time order (ties in
 * scheduling order), each with the clock set to its due time. Tasks scheduled by running tasks run in the same
 * {@code advance} when they fall due within its window. Scheduling is thread-safe; tasks run on the calling thread.
 */
public final class ManualScheduler implements Scheduler {
  private final ManualClock clock;
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(Comparator.comparingLong(Task::due).thenComparingLong(Task::seq));
  private long seq;

  public ManualScheduler(ManualClock clock) {
    this.clock = clock;
  }

  public ManualClock clock() {
    return clock;
  }

  private record Task(long due, long seq, Runnable run) {}

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Task t;
    synchronized (queue) {
      t = new Task(clock.nanoTime() + Math.max(0, delay.toNanos()), seq++, task);
      queue.add(t);
    }
    return () -> {
      synchronized (queue) {
        queue.remove(t);
      }
    };
  }

  /** Moves the clock by {@code d}, running every task that falls due on the way. */
  public void advance(Duration d) {
    long target = clock.nanoTime() + d.toNanos();
    while (true) {
      Task next;
      synchronized (queue) {
        next = queue.peek();
        if (next == null || next.due() > target) {
          break;
        }
        queue.poll();
      }
      clock.advanceTo(next.due());
      next.run().run();
    }
    clock.advanceTo(target);
  }

  /** Runs the tasks due now without moving the clock. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Tasks scheduled and neither run nor cancelled. */
  public int pending() {
    synchronized (queue) {
      return queue.size();
    }
  }
}
