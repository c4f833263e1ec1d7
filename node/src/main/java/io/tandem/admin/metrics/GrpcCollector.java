package io.tandem.admin.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tandem.proxy.http.GrpcCounters;
import io.tandem.proxy.http.ListenerRuntime;
import java.util.List;

/**
 * Exposes the running listeners' finished gRPC calls as one Prometheus counter,
 * {@code tandem_grpc_calls_total{listener, service, method, grpc_status}}; {@code grpc_status} is the backend's (or
 * Tandem's own answer's) status code, {@code -} when the call ended without one. The series per listener are bounded
 * by {@link GrpcCounters}.
 */
final class GrpcCollector implements MultiCollector {
  static final String NAME = "tandem_grpc_calls";

  private volatile List<ListenerRuntime> listeners = List.of();

  void sources(List<ListenerRuntime> running) {
    this.listeners = List.copyOf(running);
  }

  @Override
  public MetricSnapshots collect() {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(NAME)
        .help("gRPC calls a listener finished, by service, method and grpc-status");
    for (ListenerRuntime rt : listeners) {
      for (GrpcCounters.Series s : rt.grpc().series()) {
        b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
            .labels(Labels.of("grpc_status", s.status(), "listener", rt.name(), "method", s.method(),
                "service", s.service()))
            .value(s.calls())
            .build());
      }
    }
    return new MetricSnapshots(b.build());
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(NAME);
  }
}
