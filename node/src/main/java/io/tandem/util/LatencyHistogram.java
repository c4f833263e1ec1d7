package io.tandem.util;

import java.util.concurrent.atomic.LongAdder;

/**
 * Request latencies of one backend on one node, in fixed logarithmic buckets (four per doubling, so a percentile is
 * within 19% of the truth) from 1 µs to about 70 s. Lock-free: {@link #record} is one {@link LongAdder} increment,
 * safe on any event loop. Bucket counts of several nodes add up, so cluster-wide percentiles come from the sum
 * ({@link #percentileMillis(long[], double)}).
 */
public final class LatencyHistogram {
  /** Number of buckets; bucket {@code i} holds latencies up to {@link #upperMicros}{@code (i)}. */
  public static final int BUCKETS = 105;
  private final LongAdder[] counts = new LongAdder[BUCKETS];

  public LatencyHistogram() {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] = new LongAdder();
    }
  }

  public void record(long micros) {
    counts[bucket(micros)].increment();
  }

  /** A copy of the counts, with trailing empty buckets left out. */
  public long[] snapshot() {
    long[] all = new long[BUCKETS];
    int last = -1;
    for (int i = 0; i < BUCKETS; i++) {
      all[i] = counts[i].sum();
      if (all[i] > 0) {
        last = i;
      }
    }
    return java.util.Arrays.copyOf(all, last + 1);
  }

  static int bucket(long micros) {
    if (micros <= 1) {
      return 0;
    }
    int i = (int) Math.ceil(4 * Math.log(micros) / Math.log(2));
    return Math.min(i, BUCKETS - 1);
  }

  /** The largest latency bucket {@code i} holds, in microseconds: 2^(i/4) rounded. */
  public static double upperMicros(int i) {
    return Math.pow(2, i / 4.0);
  }

  /**
   * The {@code q} quantile (0..1) of summed bucket counts, in milliseconds (the bucket's upper bound), or NaN when
   * there are no samples.
   */
  public static double percentileMillis(long[] buckets, double q) {
    long total = 0;
    for (long c : buckets) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < buckets.length; i++) {
      seen += buckets[i];
      if (seen >= rank && buckets[i] > 0) {
        return upperMicros(i) / 1000.0;
      }
    }
    return upperMicros(buckets.length - 1) / 1000.0;
  }
}
