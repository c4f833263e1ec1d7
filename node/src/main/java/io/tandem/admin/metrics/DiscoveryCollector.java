package io.tandem.admin.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tandem.cluster.DiscoveredSet;
import io.tandem.discovery.Discovery;
import java.util.List;
import java.util.function.Supplier;

/**
 * The pools' {@code discover:} entries at each scrape: the backends each published set holds (and how many of them
 * are draining out), whether the set is stale (the latest resolution failed or was empty, so the last good set
 * stays), and, on the node that resolves the entry, resolutions by result and the time of the last success.
 */
final class DiscoveryCollector implements MultiCollector {
  static final String BACKENDS = "tandem_discovery_backends";
  static final String STALE = "tandem_discovery_stale";
  static final String RESOLUTIONS = "tandem_discovery_resolutions";
  static final String LAST_SUCCESS = "tandem_discovery_last_success_timestamp_seconds";

  private final Supplier<List<Discovery.Status>> entries;

  DiscoveryCollector(Supplier<List<Discovery.Status>> entries) {
    this.entries = entries;
  }

  @Override
  public MetricSnapshots collect() {
    GaugeSnapshot.Builder backends = GaugeSnapshot.builder().name(BACKENDS)
        .help("backends a pool's discover entry holds, by state: active, or leaving (draining for the grace)");
    GaugeSnapshot.Builder stale = GaugeSnapshot.builder().name(STALE)
        .help("1 while a discover entry's latest resolution failed or was empty and the last good set stays");
    CounterSnapshot.Builder resolutions = CounterSnapshot.builder().name(RESOLUTIONS)
        .help("resolutions of a discover entry made by this node, by result: ok, empty, failed");
    GaugeSnapshot.Builder last = GaugeSnapshot.builder().name(LAST_SUCCESS)
        .help("when this node last resolved a discover entry successfully (only on the node that resolves it)");
    for (Discovery.Status s : entries.get()) {
      String pool = s.pool();
      String name = s.entry().key();
      DiscoveredSet set = s.published();
      long leaving = set == null ? 0 : set.backends().stream().filter(DiscoveredSet.Endpoint::leaving).count();
      long all = set == null ? 0 : set.backends().size();
      backends.dataPoint(gauge(Labels.of("name", name, "pool", pool, "state", "active"), all - leaving));
      backends.dataPoint(gauge(Labels.of("name", name, "pool", pool, "state", "leaving"), leaving));
      stale.dataPoint(gauge(Labels.of("name", name, "pool", pool),
          set != null && set.status() != DiscoveredSet.Status.OK ? 1 : 0));
      if (s.resolving() || s.resolutionsOk() + s.resolutionsEmpty() + s.resolutionsFailed() > 0) {
        resolutions.dataPoint(counter(Labels.of("name", name, "pool", pool, "result", "ok"), s.resolutionsOk()));
        resolutions.dataPoint(counter(Labels.of("name", name, "pool", pool, "result", "empty"),
            s.resolutionsEmpty()));
        resolutions.dataPoint(counter(Labels.of("name", name, "pool", pool, "result", "failed"),
            s.resolutionsFailed()));
      }
      if (s.resolving() && s.lastSuccessMillis() > 0) {
        last.dataPoint(gauge(Labels.of("name", name, "pool", pool), s.lastSuccessMillis() / 1000.0));
      }
    }
    return new MetricSnapshots(backends.build(), stale.build(), resolutions.build(), last.build());
  }

  private static GaugeSnapshot.GaugeDataPointSnapshot gauge(Labels labels, double value) {
    return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static CounterSnapshot.CounterDataPointSnapshot counter(Labels labels, long value) {
    return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(BACKENDS, STALE, RESOLUTIONS, LAST_SUCCESS);
  }
}
