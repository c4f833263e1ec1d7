package io.tandem.util;

import io.vertx.core.Context;
import java.time.Duration;

/** {@link Scheduler} on one Vert.x context: tasks run on that context's thread, never concurrently. */
public final class VertxScheduler implements Scheduler {
  private final Context context;

  public VertxScheduler(Context context) {
    this.context = context;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    long ms = Math.max(1, delay.toMillis());
    long id = context.owner().setTimer(ms, ignored -> context.runOnContext(v -> task.run()));
    return () -> context.owner().cancelTimer(id);
  }
}
