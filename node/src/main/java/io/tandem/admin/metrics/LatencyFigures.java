package io.tandem.admin.metrics;

import io.tandem.upstream.LatencyHistogram;

/**
 * Request durations as plain numbers for the admin API's JSON, since the node started. Percentiles come from
 * {@link LatencyHistogram}'s buckets (ten per decade from 0.1 ms to 100 s), so each is within one bucket width of
 * the true value (under a third of it); all are 0 when {@code count} is 0.
 */
public record LatencyFigures(long count, double meanMillis, double p50Millis, double p90Millis, double p99Millis) {

  static LatencyFigures of(LatencyHistogram.Snapshot s) {
    double mean = s.count() == 0 ? 0 : s.sumSeconds() * 1000 / s.count();
    return new LatencyFigures(s.count(), mean, s.percentileSeconds(0.5) * 1000, s.percentileSeconds(0.9) * 1000,
        s.percentileSeconds(0.99) * 1000);
  }
}
