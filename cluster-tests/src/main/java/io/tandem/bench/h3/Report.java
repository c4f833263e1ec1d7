package io.tandem.bench.h3;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints a run's summary in the shape h2load prints it, so that bench/run.sh reads both alike:
 *
 * <pre>
 * finished in 15.00s, 31234.53 req/s, 2.01MB/s
 * requests: 468518 total, 468518 started, 468518 done, 468518 succeeded, 0 failed, 0 errored, 0 timeout
 * status codes: 468518 2xx, 0 3xx, 0 4xx, 0 5xx
 * traffic: 30.15MB (31614208) total, 2.68MB (2811108) data
 *                      min         max         mean         sd        +/- sd
 * time for request:      312us     18.20ms      5.10ms      1.02ms    81.20%
 * latency percentiles: p50 5.02ms, p90 6.31ms, p99 8.90ms
 * </pre>
 *
 * <p>The "total" traffic is the UDP payload QUIC received (packets, not frames), "data" the response bodies; the
 * throughput on the first line is the total. "failed" counts every request that did not end in 2xx or 3xx, "errored"
 * those without an answer (a reset stream, a lost or refused connection). The last line is not h2load's.
 */
final class Report {
  private Report() {}

  static void print(PrintStream out, Stats stats, long elapsedNanos, long receivedBytes, long total) {
    double seconds = elapsedNanos / 1e9;
    out.printf(Locale.ROOT, "finished in %s, %.2f req/s, %s/s%n", duration(elapsedNanos / 1000.0),
        seconds > 0 ? stats.done / seconds : 0, bytes(seconds > 0 ? receivedBytes / seconds : 0));
    out.printf(Locale.ROOT, "requests: %d total, %d started, %d done, %d succeeded, %d failed, %d errored, 0 timeout%n",
        total, stats.started, stats.done, stats.succeeded, stats.failed(), stats.errored);
    out.printf(Locale.ROOT, "status codes: %d 2xx, %d 3xx, %d 4xx, %d 5xx%n", stats.statusClasses[2],
        stats.statusClasses[3], stats.statusClasses[4], stats.statusClasses[5]);
    out.printf(Locale.ROOT, "traffic: %s (%d) total, %s (%d) data%n", bytes(receivedBytes), receivedBytes,
        bytes(stats.dataBytes), stats.dataBytes);
    if (stats.connectFailures > 0) {
      out.printf(Locale.ROOT, "connection failures: %d%n", stats.connectFailures);
    }
    int[] sorted = stats.sortedMicros();
    if (sorted.length == 0) {
      return;
    }
    double mean = 0;
    for (int v : sorted) {
      mean += v;
    }
    mean /= sorted.length;
    double variance = 0;
    for (int v : sorted) {
      variance += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(variance / sorted.length);
    long within = 0;
    for (int v : sorted) {
      within += Math.abs(v - mean) <= sd ? 1 : 0;
    }
    out.println("                     min         max         mean         sd        +/- sd");
    out.printf(Locale.ROOT, "time for request: %10s  %10s  %10s  %10s    %.2f%%%n", duration(sorted[0]),
        duration(sorted[sorted.length - 1]), duration(mean), duration(sd), 100.0 * within / sorted.length);
    out.printf(Locale.ROOT, "latency percentiles: p50 %s, p90 %s, p99 %s%n", duration(rank(sorted, 0.50)),
        duration(rank(sorted, 0.90)), duration(rank(sorted, 0.99)));
  }

  /** Nearest rank, as run.sh takes it from h2load's log. */
  static int rank(int[] sorted, double p) {
    int r = (int) Math.ceil(sorted.length * p);
    return sorted[Math.max(0, r - 1)];
  }

  /** h2load's way: 757us, 1.28ms, 15.00s. */
  static String duration(double micros) {
    if (micros < 1000) {
      return String.format(Locale.ROOT, "%.0fus", micros);
    }
    if (micros < 1_000_000) {
      return String.format(Locale.ROOT, "%.2fms", micros / 1000);
    }
    return String.format(Locale.ROOT, "%.2fs", micros / 1_000_000);
  }

  /** h2load's way: 123B, 705.71KB, 1.51MB (1024-based). */
  static String bytes(double n) {
    String[] units = {"B", "KB", "MB", "GB"};
    int u = 0;
    while (n >= 1024 && u < units.length - 1) {
      n /= 1024;
      u++;
    }
    return u == 0 ? String.format(Locale.ROOT, "%.0fB", n) : String.format(Locale.ROOT, "%.2f%s", n, units[u]);
  }
}
