package io.tandem.bench.h3;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Arrays;

/**
 * What a run counted: requests by outcome and status class, their durations, and (when asked) a line per finished
 * request in h2load's {@code --log-file} format: start in microseconds since the epoch, status ({@code -1} for a
 * failed stream or connection), microseconds from the start to the end of the response, tab-separated.
 *
 * <p>Used on the run's one event-loop thread only.
 */
final class Stats {
  private final Writer log;
  private final StringBuilder line = new StringBuilder(48);
  private final long wallMicrosAtStart;
  private final long nanosAtStart;
  private int[] micros = new int[1 << 16];
  long started;
  long done;
  long succeeded;
  long errored;
  long connectFailures;
  final long[] statusClasses = new long[6];   // index 2: 2xx ... 5; 0: other statuses
  long dataBytes;

  Stats(Writer log, long nanosAtStart) {
    this.log = log == null ? null : new BufferedWriter(log, 1 << 20);
    this.nanosAtStart = nanosAtStart;
    this.wallMicrosAtStart = System.currentTimeMillis() * 1000;
  }

  /** One request finished: with an HTTP status, or failed ({@code status} -1: reset, connection lost or refused). */
  void finished(long startNanos, long endNanos, int status) {
    long took = Math.max(0, (endNanos - startNanos) / 1000);
    done++;
    if (status < 0) {
      errored++;
    } else {
      statusClasses[status >= 200 && status < 600 ? status / 100 : 0]++;
      if (status >= 200 && status < 400) {
        succeeded++;
      }
    }
    if (done > micros.length) {
      micros = Arrays.copyOf(micros, micros.length * 2);
    }
    micros[(int) (done - 1)] = (int) Math.min(Integer.MAX_VALUE, took);
    if (log != null) {
      line.setLength(0);
      line.append(wallMicrosAtStart + (startNanos - nanosAtStart) / 1000).append('\t').append(status).append('\t')
          .append(took).append('\n');
      try {
        log.append(line);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the log file", e);
      }
    }
  }

  long failed() {
    return done - succeeded;
  }

  /** The durations of the finished requests in microseconds, sorted. */
  int[] sortedMicros() {
    int[] sorted = Arrays.copyOf(micros, (int) done);
    Arrays.sort(sorted);
    return sorted;
  }

  void closeLog() throws IOException {
    if (log != null) {
      log.close();
    }
  }
}
