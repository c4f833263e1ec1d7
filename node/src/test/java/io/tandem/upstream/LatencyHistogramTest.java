package io.tandem.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  private static final long MICRO = 1_000;
  private static final long MILLI = 1_000_000;

  @Test
  void boundsRunFrom100MicrosTo100SecondsTenPerDecade() {
    double[] b = LatencyHistogram.upperBoundsSeconds();
    assertEquals(61, b.length);
    assertEquals(LatencyHistogram.BUCKETS, b.length + 1);
    assertArrayEquals(new double[] {0.0001, 0.00012, 0.00015, 0.0002, 0.00025, 0.0003, 0.0004, 0.0005, 0.0006,
        0.0008, 0.001}, java.util.Arrays.copyOf(b, 11), 1e-12);
    assertEquals(100.0, b[60], 1e-9);
    for (int i = 1; i < b.length; i++) {
      assertTrue(b[i] > b[i - 1] && b[i] <= b[i - 1] * 1.34, "bound " + i + " steps by at most a third");
    }
  }

  @Test
  void aValueOnABoundCountsInThatBucketAndOneNanoMoreInTheNext() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(100 * MICRO);      // bucket 0: (0, 100us]
    h.record(100 * MICRO + 1);  // bucket 1: (100us, 120us]
    h.record(0);
    h.record(-5);               // clock oddity: counts as zero
    h.record(100_000 * MILLI);  // exactly 100 s: last finite bucket
    h.record(100_000 * MILLI + 1);
    LatencyHistogram.Snapshot s = h.snapshot();
    assertEquals(3, s.bucketCount(0));
    assertEquals(1, s.bucketCount(1));
    assertEquals(1, s.bucketCount(60));
    assertEquals(1, s.bucketCount(61));
    assertEquals(6, s.count());
    assertEquals(3, s.cumulativeCount(0.0001));
    assertEquals(4, s.cumulativeCount(0.00012));
    assertEquals(5, s.cumulativeCount(100));
    assertEquals((200 * MICRO + 1 + 200_000 * MILLI + 1) / 1e9, s.sumSeconds(), 1e-9);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.cumulativeCount(0.007));
    assertEquals("0.007 s is not a bucket bound", e.getMessage());
  }

  @Test
  void percentilesInterpolateInsideTheBucketOfTheirRank() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < 50; i++) {
      h.record(1 * MILLI);      // bucket (0.8ms, 1ms]
    }
    for (int i = 0; i < 40; i++) {
      h.record(9 * MILLI);      // bucket (8ms, 10ms]
    }
    for (int i = 0; i < 10; i++) {
      h.record(150 * MILLI);    // bucket (120ms, 150ms]
    }
    LatencyHistogram.Snapshot s = h.snapshot();
    assertEquals(0.001, s.percentileSeconds(0.5), 1e-12);                  // rank 50: top of the 1 ms bucket
    assertEquals(0.008 + 0.002 * 40 / 40, s.percentileSeconds(0.9), 1e-12);  // rank 90: top of (8, 10] ms
    assertEquals(0.12 + 0.03 * 9 / 10, s.percentileSeconds(0.99), 1e-12);    // rank 99: 9 of 10 into (120, 150] ms
    assertEquals(0.0008 + 0.0002 * 10 / 50, s.percentileSeconds(0.1), 1e-12);
    assertEquals(0.15, s.percentileSeconds(1.0), 1e-12);
  }

  @Test
  void percentilesOfNothingAreZeroAndAboveTheLastBoundAreTheLastBound() {
    LatencyHistogram h = new LatencyHistogram();
    assertEquals(0, h.snapshot().percentileSeconds(0.99));
    h.record(500_000 * MILLI);
    assertEquals(100, h.snapshot().percentileSeconds(0.5));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> h.snapshot().percentileSeconds(0));
    assertEquals("quantile must be in (0, 1], got 0.0", e.getMessage());
  }

  @Test
  void anIntervalIsTheDifferenceOfTwoSnapshots() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(1 * MILLI);
    LatencyHistogram.Snapshot before = h.snapshot();
    h.record(2 * MILLI);
    h.record(2 * MILLI);
    LatencyHistogram.Snapshot interval = h.snapshot().minus(before);
    assertEquals(2, interval.count());
    assertEquals(0.004, interval.sumSeconds(), 1e-12);
    assertEquals(0.0015 + 0.0005 * 1 / 2, interval.percentileSeconds(0.5), 1e-12);   // rank 1 of 2 in (1.5, 2] ms
  }

  @Test
  void manyThreadsRecordingAtOnceLoseNothing() throws Exception {
    LatencyHistogram h = new LatencyHistogram();
    int threads = 8;
    int perThread = 50_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long value = (t % 4 + 1) * MILLI;   // 1, 2, 3, 4 ms: four distinct buckets
      done.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < perThread; i++) {
          h.record(value);
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(1, TimeUnit.MINUTES);
    }
    pool.shutdown();
    LatencyHistogram.Snapshot s = h.snapshot();
    assertEquals((long) threads * perThread, s.count());
    assertEquals(2L * perThread, s.cumulativeCount(0.001));
    assertEquals(4L * perThread, s.cumulativeCount(0.002));
    assertEquals(6L * perThread, s.cumulativeCount(0.003));
    assertEquals(8L * perThread, s.cumulativeCount(0.004));
    assertEquals(2L * perThread * (1 + 2 + 3 + 4) * MILLI / 1e9, s.sumSeconds(), 1e-6);
  }
}
