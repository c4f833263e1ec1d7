package io.tandem.admin.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tandem.proxy.h3.H3Stats;
import io.tandem.proxy.http.ListenerRuntime;
import java.util.ArrayList;
import java.util.List;

/**
 * The QUIC side of the listeners with HTTP/3, read from their {@link H3Stats} at each scrape: connections open and in
 * handshake (gauges), connections accepted and refused, Retry packets, request streams, packets relayed between
 * nodes and stateless resets (counters). HTTP/3 requests are also in the listener's request and outcome metrics,
 * as every request is.
 */
final class Http3Collector implements MultiCollector {
  static final String CONNECTIONS = "tandem_http3_connections";
  static final String HANDSHAKES = "tandem_http3_handshakes";
  static final String ACCEPTED = "tandem_http3_new_connections";
  static final String RETRIES = "tandem_http3_retries";
  static final String STREAMS = "tandem_http3_streams";
  static final String RELAYED = "tandem_http3_relayed_packets";
  static final String RESETS = "tandem_http3_stateless_resets";

  private volatile List<ListenerRuntime> listeners = List.of();

  void sources(List<ListenerRuntime> running) {
    this.listeners = running.stream().filter(rt -> rt.config().http3() != null).toList();
  }

  @Override
  public MetricSnapshots collect() {
    GaugeSnapshot.Builder open = GaugeSnapshot.builder().name(CONNECTIONS)
        .help("QUIC connections open on a listener's HTTP/3 socket");
    GaugeSnapshot.Builder handshakes = GaugeSnapshot.builder().name(HANDSHAKES)
        .help("QUIC connections of a listener still in their handshake");
    CounterSnapshot.Builder conns = CounterSnapshot.builder().name(ACCEPTED)
        .help("new QUIC connections of a listener, by result: accepted (handshake done) or refused (max-connections)");
    CounterSnapshot.Builder retries = CounterSnapshot.builder().name(RETRIES)
        .help("Retry packets a listener sent (address validation)");
    CounterSnapshot.Builder streams = CounterSnapshot.builder().name(STREAMS)
        .help("HTTP/3 request streams a listener took");
    CounterSnapshot.Builder relayed = CounterSnapshot.builder().name(RELAYED)
        .help("QUIC packets relayed between nodes: to_owner, a client's packet this node passed to the node that owns"
            + " its connection; from_owner, this node's answers sent through the node its client talks to");
    CounterSnapshot.Builder resets = CounterSnapshot.builder().name(RESETS)
        .help("stateless resets a listener sent for connections of nodes that are gone");
    for (ListenerRuntime rt : listeners) {
      H3Stats.Snapshot s = rt.http3().snapshot();
      Labels l = Labels.of("listener", rt.name());
      open.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(s.open()).build());
      handshakes.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(s.handshaking()).build());
      conns.dataPoint(counter(Labels.of("listener", rt.name(), "result", "accepted"), s.accepted()));
      conns.dataPoint(counter(Labels.of("listener", rt.name(), "result", "refused"), s.refused()));
      retries.dataPoint(counter(l, s.retries()));
      streams.dataPoint(counter(l, s.streams()));
      relayed.dataPoint(counter(Labels.of("direction", "to_owner", "listener", rt.name()), s.relayedOut()));
      relayed.dataPoint(counter(Labels.of("direction", "from_owner", "listener", rt.name()), s.relayedIn()));
      resets.dataPoint(counter(l, s.statelessResets()));
    }
    List<io.prometheus.metrics.model.snapshots.MetricSnapshot> all = new ArrayList<>();
    all.add(open.build());
    all.add(handshakes.build());
    all.add(conns.build());
    all.add(retries.build());
    all.add(streams.build());
    all.add(relayed.build());
    all.add(resets.build());
    return new MetricSnapshots(all);
  }

  private static CounterSnapshot.CounterDataPointSnapshot counter(Labels labels, long value) {
    return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(CONNECTIONS, HANDSHAKES, ACCEPTED, RETRIES, STREAMS, RELAYED, RESETS);
  }
}
