package io.tandem.testing;

import io.tandem.util.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Clock} that only moves when a test says so. Thread-safe. */
public final class ManualClock implements Clock {
  private final AtomicLong nanos;

  public ManualClock() {
    this(0);
  }

  public ManualClock(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  /** Moves the clock forward; a negative duration is refused (the clock is monotonic). */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("a monotonic clock cannot go back: " + d);
    }
    nanos.addAndGet(d.toNanos());
  }

  /** Moves the clock to {@code target} if that is later than now. */
  void advanceTo(long target) {
    nanos.accumulateAndGet(target, Math::max);
  }
}
