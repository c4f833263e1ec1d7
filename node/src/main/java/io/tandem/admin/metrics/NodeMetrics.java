package io.tandem.admin.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.tandem.cluster.Membership;
import io.tandem.cluster.SharedState;
import io.tandem.config.ListenerConfig;
import io.tandem.util.Outcome;
import io.tandem.proxy.http.ListenerRuntime;
import io.tandem.tls.OcspStatus;
import io.tandem.upstream.Backend;
import io.tandem.upstream.BackendStats;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.upstream.RoutingSnapshot;
import io.tandem.upstream.UpstreamRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Tandem's figures of one node, for {@code GET /metrics} (Prometheus text, through Micrometer) and for the admin API's
 * JSON ({@link #backends()}, {@link #listeners()}).
 *
 * <p>The data path is not touched: the meters read the counters the proxy keeps anyway ({@link BackendStats},
 * {@link ListenerRuntime}) when scraped. Pools, backends and listeners come and go with reloads and runtime changes,
 * so every scrape first brings the registered meters in step with the routing snapshot in force (meters of a removed
 * backend are removed; a backend whose counters were replaced gets new meters). Labels are bounded by the
 * configuration: {@code listener}, {@code pool}, {@code backend}, {@code outcome}, {@code certificate} (a stapling
 * listener's certificate, by its first name), and {@code node} for peers.
 *
 * <pre>{@code
 * router.get("/metrics").handler(node.metrics().handler());
 * node.metrics().backends().forEach(b -> json.put(b.pool() + "/" + b.backend(), b.latency().p99Millis()));
 * }</pre>
 */
public final class NodeMetrics {
  private final PrometheusMeters meters;
  private final MeterRegistry registry;
  private final UpstreamRegistry upstream;
  private final Function<String, ListenerRuntime> listenerLookup;
  private final SharedState shared;
  private final KeyedMeters<BackendKey> backendMeters;
  private final KeyedMeters<ListenerRuntime> listenerMeters;
  private final KeyedMeters<String> poolMeters;
  private final KeyedMeters<String> peerMeters;
  private final KeyedMeters<OcspKey> ocspMeters;
  private final GrpcCollector grpc = new GrpcCollector();
  private final Http3Collector http3 = new Http3Collector();
  private final LatencyCollector latency = new LatencyCollector(
      new LatencyCollector.Family("tandem_listener_request_duration_seconds",
          "Duration of the requests a listener finished, from request head to outcome"),
      new LatencyCollector.Family("tandem_backend_request_duration_seconds",
          "Duration of the requests whose last attempt went to a backend, as their clients saw them"));

  /** One certificate of a TLS listener that staples, by its place in the listener's list. */
  private record OcspKey(ListenerRuntime listener, int index, String certificate) {}

  /** A backend as its meters know it: equal while its counters are the same object. */
  private record BackendKey(String pool, String id, BackendStats stats) {}

  /**
   * @param listeners the running listener of a name, or null (listeners restart on reload with new counters)
   */
  public NodeMetrics(PrometheusMeters meters, UpstreamRegistry upstream, Function<String, ListenerRuntime> listeners,
      SharedState shared) {
    this.meters = meters;
    this.registry = meters.registry();
    this.upstream = upstream;
    this.listenerLookup = listeners;
    this.shared = shared;
    this.backendMeters = new KeyedMeters<>(registry, this::registerBackend);
    this.listenerMeters = new KeyedMeters<>(registry, this::registerListener);
    this.poolMeters = new KeyedMeters<>(registry, this::registerPool);
    this.peerMeters = new KeyedMeters<>(registry, this::registerPeer);
    this.ocspMeters = new KeyedMeters<>(registry, this::registerOcsp);
    registerNode();
    meters.registry().getPrometheusRegistry().register(latency);
    meters.registry().getPrometheusRegistry().register(grpc);
    meters.registry().getPrometheusRegistry().register(http3);
  }

  /** Adds the pools' discover entries (see {@link DiscoveryCollector}). */
  public void discovery(java.util.function.Supplier<List<io.tandem.discovery.Discovery.Status>> entries) {
    meters.registry().getPrometheusRegistry().register(new DiscoveryCollector(entries));
  }

  /** Every meter in the Prometheus text format (0.0.4): Tandem's, Vert.x's and the JVM's. */
  public String scrape() {
    refresh();
    return meters.scrape();
  }

  /**
   * Serves {@link #scrape()} (for {@code GET /metrics}). The scrape runs on a worker thread: reading the JVM's thread
   * states and every counter takes a few milliseconds that an event loop should spend on requests.
   */
  public Handler<RoutingContext> handler() {
    return ctx -> ctx.vertx().executeBlocking(this::scrape, false).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  /** Every backend of the routing snapshot in force, in configuration order. */
  public List<BackendFigures> backends() {
    List<BackendFigures> all = new ArrayList<>();
    for (PoolSnapshot p : upstream.snapshot().pools().values()) {
      for (Backend b : p.backends()) {
        BackendStats st = b.stats();
        all.add(new BackendFigures(p.name(), b.id(), st.active(), upstream.othersActive(b),
            OutcomeFigures.of(st::count), LatencyFigures.of(st.latency().snapshot())));
      }
    }
    return all;
  }

  /** Every running listener, in configuration order. */
  public List<ListenerFigures> listeners() {
    List<ListenerFigures> all = new ArrayList<>();
    for (ListenerRuntime rt : runningListeners().values()) {
      all.add(new ListenerFigures(rt.name(), rt.openConnections(), OutcomeFigures.of(rt::count),
          LatencyFigures.of(rt.latency().snapshot())));
    }
    return all;
  }

  /** Brings the registered meters in step with the snapshot, the running listeners and the live peers. */
  synchronized void refresh() {
    RoutingSnapshot snap = upstream.snapshot();
    Map<String, BackendKey> backends = new LinkedHashMap<>();
    Map<String, String> pools = new LinkedHashMap<>();
    for (PoolSnapshot p : snap.pools().values()) {
      pools.put(p.name(), p.name());
      for (Backend b : p.backends()) {
        backends.put(p.name() + "/" + b.id(), new BackendKey(p.name(), b.id(), b.stats()));
      }
    }
    backendMeters.sync(backends);
    poolMeters.sync(pools);
    listenerMeters.sync(runningListeners());
    Map<String, OcspKey> stapled = new LinkedHashMap<>();
    for (ListenerRuntime rt : runningListeners().values()) {
      List<OcspStatus> certificates = rt.tls() == null ? List.of() : rt.tls().ocsp();
      for (int i = 0; i < certificates.size(); i++) {
        stapled.put(rt.name() + "/" + i, new OcspKey(rt, i, certificates.get(i).certificate()));
      }
    }
    ocspMeters.sync(stapled);
    Map<String, String> peers = new LinkedHashMap<>();
    shared.connections().publicationAgesMillis().keySet().forEach(id -> peers.put(id, id));
    peerMeters.sync(peers);

    List<LatencyCollector.Source> l = new ArrayList<>();
    listenerMeters.sources().forEach(rt -> l.add(new LatencyCollector.Source(
        Labels.of("listener", rt.name()), rt.latency())));
    List<LatencyCollector.Source> b = new ArrayList<>();
    backendMeters.sources().forEach(k -> b.add(new LatencyCollector.Source(
        Labels.of("backend", k.id(), "pool", k.pool()), k.stats().latency())));
    latency.sources(l, b);
    grpc.sources(listenerMeters.sources());
    http3.sources(listenerMeters.sources());
  }

  private Map<String, ListenerRuntime> runningListeners() {
    Map<String, ListenerRuntime> running = new LinkedHashMap<>();
    for (ListenerConfig lc : upstream.config().listeners()) {
      ListenerRuntime rt = listenerLookup.apply(lc.name());
      if (rt != null) {
        running.put(lc.name(), rt);
      }
    }
    return running;
  }

  private void registerNode() {
    Membership membership = shared.membership();
    gauge("tandem.node.info", "This node's id, as a label", () -> 1, "node", shared.nodeId());
    gauge("tandem.cluster.members", "Live cluster members this node sees (1 alone)",
        () -> membership.members().size());
    gauge("tandem.cluster.quorum", "1 when this side of the cluster has at least min-members, else 0",
        () -> membership.hasQuorum() ? 1 : 0);
    gauge("tandem.cluster.coordinator", "1 when this node is the coordinator (the oldest member), else 0",
        () -> shared.nodeId().equals(membership.coordinator()) ? 1 : 0);
    gauge("tandem.cluster.state.version", "Version of the runtime changes (drain, disable, weight) applied here",
        () -> shared.runtime().version());
    gauge("tandem.routing.snapshot.version", "Routing snapshots built on this node since it started",
        () -> upstream.snapshot().version());
  }

  private List<Meter> registerBackend(BackendKey k) {
    String[] tags = {"pool", k.pool(), "backend", k.id()};
    List<Meter> m = new ArrayList<>();
    for (Outcome o : Outcome.values()) {
      m.add(FunctionCounter.builder("tandem.backend.requests", k.stats(), st -> st.count(o))
          .description("Requests (attempts, for connection failures) to a backend by outcome")
          .tags(tags).tag("outcome", o.label()).register(registry));
    }
    m.add(gauge("tandem.backend.active.requests", "Requests in flight to a backend from this node",
        () -> k.stats().active(), tags));
    m.add(gauge("tandem.backend.peer.active.requests",
        "Requests in flight to a backend from the other nodes, as of their latest publication",
        () -> shared.connections().othersActive(k.pool(), k.id()), tags));
    m.add(gauge("tandem.backend.healthy", "1 when the health verdict lets the backend serve, else 0",
        () -> backendFlag(k, Backend::healthy), tags));
    m.add(gauge("tandem.backend.ejected", "1 while passive detection has ejected the backend, else 0",
        () -> backendFlag(k, Backend::ejected), tags));
    m.add(gauge("tandem.backend.eligible", "1 when the backend may take new sessions (healthy, enabled), else 0",
        () -> backendFlag(k, Backend::eligible), tags));
    m.add(gauge("tandem.backend.weight", "The backend's weight in force", () -> {
      Backend b = backend(k);
      return b == null ? Double.NaN : b.weight();
    }, tags));
    return m;
  }

  private double backendFlag(BackendKey k, Predicate<Backend> flag) {
    Backend b = backend(k);
    return b == null ? Double.NaN : flag.test(b) ? 1 : 0;
  }

  private Backend backend(BackendKey k) {
    PoolSnapshot p = upstream.snapshot().pool(k.pool());
    return p == null ? null : p.byId().get(k.id());
  }

  private List<Meter> registerPool(String pool) {
    return List.of(
        gauge("tandem.pool.queue.waiting", "Requests waiting for a backend slot in the pool's queue", () -> {
          PoolSnapshot p = upstream.snapshot().pool(pool);
          return p == null ? Double.NaN : p.queue().size();
        }, "pool", pool),
        gauge("tandem.pool.backends", "Backends in the pool", () -> {
          PoolSnapshot p = upstream.snapshot().pool(pool);
          return p == null ? Double.NaN : p.backends().size();
        }, "pool", pool),
        gauge("tandem.pool.eligible.backends", "Backends in the pool that may take new sessions", () -> {
          PoolSnapshot p = upstream.snapshot().pool(pool);
          return p == null ? Double.NaN : p.balancer().backends().size();
        }, "pool", pool));
  }

  private List<Meter> registerListener(ListenerRuntime rt) {
    List<Meter> m = new ArrayList<>();
    for (Outcome o : Outcome.values()) {
      m.add(FunctionCounter.builder("tandem.listener.requests", rt, r -> r.count(o))
          .description("Requests (and refused connections) on a listener by outcome")
          .tags("listener", rt.name(), "outcome", o.label()).register(registry));
    }
    m.add(gauge("tandem.listener.connections", "Open client connections on a listener", rt::openConnections,
        "listener", rt.name()));
    return m;
  }

  private List<Meter> registerOcsp(OcspKey k) {
    String[] tags = {"listener", k.listener().name(), "certificate", k.certificate()};
    return List.of(
        gauge("tandem.tls.ocsp.stapled", "1 while handshakes get an OCSP response for the certificate, else 0",
            () -> ocsp(k, s -> s.stapled() ? 1 : 0), tags),
        gauge("tandem.tls.ocsp.next.update.seconds",
            "nextUpdate of the stapled OCSP response, as Unix time (NaN: none stapled, or none given)",
            () -> ocsp(k, s -> s.nextUpdate() == null ? Double.NaN : s.nextUpdate().getEpochSecond()), tags),
        gauge("tandem.tls.ocsp.failing", "1 when the last OCSP fetch (or file) for the certificate gave nothing "
            + "usable (the log says why), else 0", () -> ocsp(k, s -> s.lastError() == null ? 0 : 1), tags));
  }

  private double ocsp(OcspKey k, java.util.function.ToDoubleFunction<OcspStatus> value) {
    List<OcspStatus> all = k.listener().tls() == null ? List.of() : k.listener().tls().ocsp();
    return k.index() < all.size() ? value.applyAsDouble(all.get(k.index())) : Double.NaN;
  }

  private List<Meter> registerPeer(String nodeId) {
    return List.of(gauge("tandem.cluster.peer.counts.age.seconds",
        "Age of a peer's latest connection-count publication seen here (replication lag; published at least every second)",
        () -> {
          Long ms = shared.connections().publicationAgesMillis().get(nodeId);
          return ms == null ? Double.NaN : ms / 1000.0;
        }, "node", nodeId));
  }

  private Gauge gauge(String name, String help, Supplier<Number> value, String... tags) {
    return Gauge.builder(name, value).description(help).tags(tags).register(registry);
  }
}
