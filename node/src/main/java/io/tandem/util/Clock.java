package io.tandem.util;

/**
 * A monotonic clock in nanoseconds. Injected wherever time matters so tests can move it by hand
 * (see {@code io.tandem.testing.ManualClock}).
 */
@FunctionalInterface
public interface Clock {
  Clock SYSTEM = System::nanoTime;

  long nanoTime();

  default long millis() {
    return nanoTime() / 1_000_000L;
  }
}
