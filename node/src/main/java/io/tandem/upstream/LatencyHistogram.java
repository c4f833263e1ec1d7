package io.tandem.upstream;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * A lock-free latency histogram with fixed buckets, cheap enough for the data path: {@link #record} is a binary
 * search over 61 bounds and two {@link LongAdder} increments, with no allocation, lock or clock read.
 * The counts are cumulative since start; {@link Snapshot#minus} gives the figures of an interval.
 *
 * <p>Buckets: upper bounds from 100 µs to 100 s with ten steps per decade (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a
 * power of ten), each bound at most a third above the previous one, plus one bucket above 100 s. A value equal to a
 * bound counts in that bound's bucket (Prometheus' {@code le}). Percentiles interpolate linearly inside the bucket
 * that holds the rank, so they are off by less than one bucket width: under a third of the value (100 s at most; 0 to
 * 100 µs for the first bucket).
 *
 * <pre>{@code
 * long t0 = System.nanoTime();
 * ...
 * histogram.record(System.nanoTime() - t0);        // data path
 * histogram.snapshot().percentileSeconds(0.99);      // control plane
 * }</pre>
 */
public final class LatencyHistogram {
  private static final double[] MANTISSAS = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8};
  private static final int FIRST_DECADE = -4;
  private static final int DECADES = 6;
  /** Upper bounds of the finite buckets, in nanoseconds, ascending. */
  private static final long[] BOUNDS = bounds();
  /** Finite buckets plus the one above the last bound. */
  public static final int BUCKETS = BOUNDS.length + 1;

  private final LongAdder[] counts = new LongAdder[BUCKETS];
  private final LongAdder sumNanos = new LongAdder();

  public LatencyHistogram() {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] = new LongAdder();
    }
  }

  private static long[] bounds() {
    long[] b = new long[DECADES * MANTISSAS.length + 1];
    int i = 0;
    for (int d = 0; d < DECADES; d++) {
      for (double m : MANTISSAS) {
        b[i++] = Math.round(m * Math.pow(10, FIRST_DECADE + d) * 1e9);
      }
    }
    b[i] = Math.round(Math.pow(10, FIRST_DECADE + DECADES) * 1e9);
    return b;
  }

  /** The finite upper bounds, in seconds, ascending (bucket {@code i} holds values in (bound i-1, bound i]). */
  public static double[] upperBoundsSeconds() {
    double[] s = new double[BOUNDS.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = BOUNDS[i] / 1e9;
    }
    return s;
  }

  /** Records one duration; negative durations count as zero. */
  public void record(long nanos) {
    long n = Math.max(0, nanos);
    int i = Arrays.binarySearch(BOUNDS, n);
    counts[i >= 0 ? i : -i - 1].increment();
    sumNanos.add(n);
  }

  /** A copy of the counts. Concurrent records may land in the counts but not yet the sum (or the reverse). */
  public Snapshot snapshot() {
    long[] c = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      c[i] = counts[i].sum();
    }
    return new Snapshot(c, sumNanos.sum());
  }

  /** Counts of one moment: per bucket (not cumulative), and the sum of the recorded values. */
  public static final class Snapshot {
    private final long[] counts;
    private final long sumNanos;
    private final long count;

    Snapshot(long[] counts, long sumNanos) {
      this.counts = counts;
      this.sumNanos = sumNanos;
      this.count = Arrays.stream(counts).sum();
    }

    /** A snapshot from bucket counts (e.g. received from another node, or summed over nodes). */
    public static Snapshot of(long[] counts, long sumNanos) {
      if (counts.length != BUCKETS) {
        throw new IllegalArgumentException("expected " + BUCKETS + " bucket counts, got " + counts.length);
      }
      return new Snapshot(counts.clone(), sumNanos);
    }

    /** The per-bucket counts (a copy). */
    public long[] counts() {
      return counts.clone();
    }

    public long sumNanos() {
      return sumNanos;
    }

    /** The figures of both snapshots together (e.g. two nodes' histograms of one backend). */
    public Snapshot plus(Snapshot other) {
      long[] c = new long[BUCKETS];
      for (int i = 0; i < BUCKETS; i++) {
        c[i] = counts[i] + other.counts[i];
      }
      return new Snapshot(c, sumNanos + other.sumNanos);
    }

    /** Values recorded; always the sum of the bucket counts. */
    public long count() {
      return count;
    }

    public double sumSeconds() {
      return sumNanos / 1e9;
    }

    /** The count of bucket {@code i} ({@code 0..BUCKETS-1}; the last is above 100 s). */
    public long bucketCount(int i) {
      return counts[i];
    }

    /** Values at or under {@code seconds}, which must be one of {@link #upperBoundsSeconds()}. */
    public long cumulativeCount(double seconds) {
      int i = Arrays.binarySearch(BOUNDS, Math.round(seconds * 1e9));
      if (i < 0) {
        throw new IllegalArgumentException(seconds + " s is not a bucket bound");
      }
      long c = 0;
      for (int k = 0; k <= i; k++) {
        c += counts[k];
      }
      return c;
    }

    /** The figures of the interval since {@code earlier} (a snapshot of the same histogram). */
    public Snapshot minus(Snapshot earlier) {
      long[] c = new long[BUCKETS];
      for (int i = 0; i < BUCKETS; i++) {
        c[i] = counts[i] - earlier.counts[i];
      }
      return new Snapshot(c, sumNanos - earlier.sumNanos);
    }

    /**
     * The {@code q} quantile ({@code 0 < q <= 1}) in seconds, interpolated inside its bucket; 0 when nothing was
     * recorded; 100 s (the last bound) when the rank falls above it.
     */
    public double percentileSeconds(double q) {
      if (!(q > 0 && q <= 1)) {
        throw new IllegalArgumentException("quantile must be in (0, 1], got " + q);
      }
      if (count == 0) {
        return 0;
      }
      double rank = q * count;
      long below = 0;
      for (int i = 0; i < BOUNDS.length; i++) {
        long c = counts[i];
        if (c > 0 && below + c >= rank) {
          long lower = i == 0 ? 0 : BOUNDS[i - 1];
          return (lower + (BOUNDS[i] - lower) * (rank - below) / c) / 1e9;
        }
        below += c;
      }
      return BOUNDS[BOUNDS.length - 1] / 1e9;
    }
  }
}
