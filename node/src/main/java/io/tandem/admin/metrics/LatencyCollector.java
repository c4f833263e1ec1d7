package io.tandem.admin.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tandem.upstream.LatencyHistogram;
import java.util.List;

/**
 * Exposes {@link LatencyHistogram}s as Prometheus histograms (cumulative {@code _bucket{le}}, {@code _count},
 * {@code _sum}), collected into the same registry as Micrometer's meters, so one scrape has them all. Of the
 * histogram's 61 bounds it exports 1, 2.5 and 5 per decade (0.1 ms to 100 s: 19 buckets and {@code +Inf}); the JSON
 * percentiles use all of them.
 */
final class LatencyCollector implements MultiCollector {
  static final double[] EXPORTED = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      1, 2.5, 5, 10, 25, 50, 100, Double.POSITIVE_INFINITY};

  /** One histogram to export, with its label names and values. */
  record Source(Labels labels, LatencyHistogram histogram) {}

  /** One metric family: its name, help and current series. */
  record Family(String name, String help) {}

  private final Family listeners;
  private final Family backends;
  private volatile List<Source> listenerSources = List.of();
  private volatile List<Source> backendSources = List.of();

  LatencyCollector(Family listeners, Family backends) {
    this.listeners = listeners;
    this.backends = backends;
  }

  void sources(List<Source> listenerSources, List<Source> backendSources) {
    this.listenerSources = List.copyOf(listenerSources);
    this.backendSources = List.copyOf(backendSources);
  }

  @Override
  public MetricSnapshots collect() {
    return new MetricSnapshots(snapshot(listeners, listenerSources), snapshot(backends, backendSources));
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(listeners.name(), backends.name());
  }

  private static HistogramSnapshot snapshot(Family family, List<Source> sources) {
    HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(family.name()).help(family.help());
    for (Source s : sources) {
      LatencyHistogram.Snapshot h = s.histogram().snapshot();
      long[] perBucket = new long[EXPORTED.length];
      long below = 0;
      for (int i = 0; i < EXPORTED.length; i++) {
        long cumulative = i == EXPORTED.length - 1 ? h.count() : h.cumulativeCount(EXPORTED[i]);
        perBucket[i] = cumulative - below;
        below = cumulative;
      }
      b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
          .labels(s.labels())
          .classicHistogramBuckets(ClassicHistogramBuckets.of(EXPORTED, perBucket))
          .sum(h.sumSeconds())
          .build());
    }
    return b.build();
  }
}
