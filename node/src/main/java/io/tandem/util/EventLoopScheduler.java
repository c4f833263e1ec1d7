package io.tandem.util;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} on a Netty event loop: for the data path's per-request timers (response and body time-outs),
 * where a task on the loop's own timer queue costs less than a Vert.x timer. Tasks run on that loop.
 */
public final class EventLoopScheduler implements Scheduler {
  private final EventExecutor loop;

  public EventLoopScheduler(EventExecutor loop) {
    this.loop = loop;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> f = loop.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }
}
