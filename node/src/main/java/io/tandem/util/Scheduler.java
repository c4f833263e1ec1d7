package io.tandem.util;

import java.time.Duration;

/**
 * Runs tasks later on the control plane. Injected so that tests fire timers by hand
 * ({@code io.tandem.testing.ManualScheduler}); in production backed by Vert.x timers ({@link VertxScheduler}).
 */
public interface Scheduler {

  /** Runs {@code task} once after {@code delay}. */
  Cancellable schedule(Duration delay, Runnable task);

  /** Handle to cancel a scheduled task; cancelling twice or after it ran is harmless. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
