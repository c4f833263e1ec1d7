package io.tandem.bootstrap;

import io.tandem.admin.AdminServer;
import io.tandem.admin.NodeView;
import io.tandem.admin.metrics.NodeMetrics;
import io.tandem.admin.metrics.PrometheusMeters;
import io.tandem.cluster.SharedState;
import io.tandem.config.TandemConfig;
import io.tandem.health.ActiveHealthChecker;
import io.tandem.health.Probes;
import io.tandem.proxy.http.BackendClients;
import io.tandem.proxy.http.ListenerRuntime;
import io.tandem.proxy.tcp.TcpListenerRuntime;
import io.tandem.tls.OcspServices;
import io.tandem.upstream.UpstreamRegistry;
import io.tandem.util.Clock;
import io.tandem.util.VertxScheduler;
import io.tandem.vip.VipNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One running node: Vert.x, the listeners, health checking and the routing snapshot. The command line, the demo and
 * the integration tests all start nodes through this class. It wires the parts together, schedules the control
 * plane's timers and orders start, reload and stop; {@link Listeners} runs the traffic listeners.
 */
public final class TandemNode implements RunningNode {
  private static final Logger LOG = LogManager.getLogger(TandemNode.class);

  private final Vertx vertx;
  private final Context control;
  private final SharedState shared;
  private final UpstreamRegistry registry;
  private final BackendClients clients;
  private final ActiveHealthChecker health;
  private final Probes probes;
  private final Listeners listeners;
  private final long expiryTimer;
  private final PrometheusMeters meters;
  private final NodeMetrics metrics;
  private final long startedAtMillis = System.currentTimeMillis();
  private final long queueTimer;
  private final io.tandem.limits.RateLimits rateLimits;
  private final io.tandem.limits.ClientConnections clientConnections;
  private final io.tandem.limits.PoolGuards poolGuards;
  private final VipNode vips;
  private volatile TandemConfig config;
  private volatile AdminServer admin;
  private volatile int adminPort;
  private final io.tandem.discovery.Discovery discovery;
  private io.tandem.dns.DnsLookup dns;            // made when a pool first discovers; control context
  private io.tandem.config.DnsConfig dnsConfig;

  private TandemNode(Vertx vertx, Context control, SharedState shared, TandemConfig config, int eventLoops,
      PrometheusMeters meters, Clock poolGuardClock) {
    this.vertx = vertx;
    this.meters = meters;
    this.config = config;
    this.control = control;
    Clock clock = Clock.SYSTEM;
    java.util.concurrent.Executor onControl = onContext(control);
    this.shared = shared;
    VertxScheduler scheduler = new VertxScheduler(control);
    this.registry = new UpstreamRegistry(shared, clock, scheduler, onControl);
    this.clients = new BackendClients(vertx);
    this.probes = new Probes(vertx, clock);
    this.health = new ActiveHealthChecker(probes::forConfig, shared.health(), scheduler, clock);
    // Runtime adds and removes change the pools without a reload: checks follow the pools in force.
    registry.addPoolsListener(health::apply);
    shared.connections().localSource(registry::localCounts);
    this.rateLimits = new io.tandem.limits.RateLimits(clock, scheduler, shared.usage());
    this.clientConnections = new io.tandem.limits.ClientConnections(shared.clientConnections());
    shared.clientConnections().localSource(clientConnections::counts);
    this.poolGuards = new io.tandem.limits.PoolGuards(poolGuardClock);
    // Backends added by a reload or through the admin API start slowly alike.
    registry.addPoolsListener(poolGuards::pools);
    shared.health().addListener((pool, backend, verdict) -> poolGuards.verdict(pool, backend, verdict.servesTraffic()));
    // Another node's traffic ejected a backend this node checks: probe it now rather than at the next interval.
    shared.health().addSuspectListener(health::probeNow);
    this.metrics = new NodeMetrics(meters, registry, this::listener, shared);
    this.vips = VipNode.create(config, vertx, control, shared.membership()::hasQuorum);
    // One node per discover entry asks DNS and publishes the answer through the runtime state (see Discovery).
    this.discovery = new io.tandem.discovery.Discovery((type, name, port) -> dns.lookup(type, name, port),
        shared.runtime(), shared.membership(), shared.nodeId(), System::currentTimeMillis, scheduler, onControl);
    metrics.discovery(discovery::status);
    // OCSP fetches of TLS listeners that staple, timed on a worker context of their own (off the event loops).
    OcspServices ocsp = OcspServices.create(new VertxScheduler(((VertxInternal) vertx).createWorkerContext()));
    this.listeners = new Listeners(vertx, control, eventLoops, () -> this.config, registry, clients,
        shared.affinity(), ocsp, rateLimits, clientConnections, poolGuards);
    // The control plane's timers, all here; what they do lives beside what they drive.
    // Slots freed on other nodes reach this node's waiters through the others' published counts (every 100 ms).
    this.queueTimer = config.cluster() == null ? -1 : vertx.setPeriodic(100, id -> registry.recheckQueues());
    this.expiryTimer = vertx.setPeriodic(10_000, id -> shared.expireIdle());
  }

  /** Starts a node with {@code config}; completes when every listener is bound. */
  public static Future<TandemNode> start(TandemConfig config) {
    return start(config, Clock.SYSTEM);
  }

  /**
   * As {@link #start(TandemConfig)}, but the pools' guards ({@link io.tandem.limits.PoolGuards}: circuit-breaker open
   * time, slow-start shares and the moment a backend starts warming up) read {@code poolGuardClock}; everything else
   * keeps the system clock. Tests pass a manual clock to move a slow-start window by hand.
   */
  public static Future<TandemNode> start(TandemConfig config, Clock poolGuardClock) {
    int loops = config.node().eventLoops() > 0 ? config.node().eventLoops()
        : Runtime.getRuntime().availableProcessors();
    PrometheusMeters meters = new PrometheusMeters();
    Vertx vertx;
    try {
      vertx = NodeVertx.create(config.node(), loops, meters);
    } catch (IllegalStateException e) {
      meters.close();
      return Future.failedFuture(e);
    }
    // Every failure below releases what was started before it: a node that cannot serve must not stay a member.
    Context control = vertx.getOrCreateContext();
    SharedState shared;
    try {
      shared = io.tandem.cluster.hazelcast.HazelcastCluster.open(config, Clock.SYSTEM, onContext(control));
    } catch (RuntimeException e) {
      return failStart(vertx, meters, new IllegalStateException("cannot join the cluster: " + e.getMessage(), e));
    }
    TandemNode node;
    try {
      node = new TandemNode(vertx, control, shared, config, loops, meters, poolGuardClock);
    } catch (RuntimeException e) {
      shared.close();
      return failStart(vertx, meters, e);
    }
    List<String> mismatches = node.shared.configMismatches();
    if (!mismatches.isEmpty()) {
      // Routing with another view of the pools than the rest of the cluster would split sessions: refuse.
      String why = "configuration differs from the cluster's, refusing traffic:\n  " + String.join("\n  ", mismatches);
      LOG.error(why);
      return node.shutdown(Duration.ZERO).transform(ignored -> Future.failedFuture(new IllegalStateException(why)));
    }
    // VIPs come last: a node takes an address only once it can serve it.
    return node.startAll().compose(v -> node.vips.start()).map(v -> node)
        .recover(err -> node.vips.stop().transform(stopped -> node.drainAndClose(Duration.ZERO))
            .transform(closed -> Future.failedFuture(err)));
  }

  /** Closes Vert.x (and so every timer and server on it), then fails with {@code cause}. */
  private static Future<TandemNode> failStart(Vertx vertx, PrometheusMeters meters, Throwable cause) {
    return vertx.close().onComplete(closed -> meters.close()).transform(ignored -> Future.failedFuture(cause));
  }

  private static java.util.concurrent.Executor onContext(Context context) {
    return task -> context.runOnContext(v -> task.run());
  }

  private Future<Void> startAll() {
    applyControl(config);
    rateLimits.start();
    return listeners.startAll(shared.quic()).compose(v -> startAdmin());
  }

  /** The admin listener, after the traffic listeners (it reports them ready). */
  private Future<Void> startAdmin() {
    if (!config.admin().enabled()) {
      return Future.succeededFuture();
    }
    NodeView view = new NodeView(config.nodeId(), io.tandem.cluster.Membership.localVersion(), startedAtMillis,
        shared, registry, () -> config, () -> listeners.allRunning(config),
        new io.tandem.limits.NodeLimits(rateLimits, poolGuards, clientConnections, listeners::refusals),
        vips.controller(), listeners::routeCounts, listeners::http3Facts, discovery::status);
    AdminServer server = new AdminServer(vertx, view);
    server.metrics(metrics::scrape);
    return server.start().map(port -> {
      admin = server;
      adminPort = port;
      return (Void) null;
    }).recover(err -> Future.failedFuture(new IllegalStateException("admin listener cannot bind "
        + config.admin().host() + ":" + config.admin().port() + ": " + BindErrors.reason(err), err)));
  }

  private void applyControl(TandemConfig cfg) {
    clients.drainTime(cfg.node().drainTimeout());
    clients.apply(cfg.pools());
    registry.apply(cfg);
    rateLimits.apply(cfg.listeners());
    poolGuards.apply(cfg);
    health.apply(registry.effectivePools());
    control.runOnContext(v -> applyDiscovery(cfg));
  }

  /** Follows the pools' discover entries, with a resolver for the dns section in force. Control context. */
  private void applyDiscovery(TandemConfig cfg) {
    boolean discovers = cfg.pools().stream().anyMatch(p -> !p.discover().isEmpty());
    if (discovers && (dns == null || !cfg.dns().equals(dnsConfig))) {
      io.tandem.dns.DnsLookup old = dns;
      VertxInternal vx = (VertxInternal) vertx;
      dns = io.tandem.dns.DnsLookup.create(cfg.dns(), vx.nettyEventLoopGroup().next(),
          vx.transport()::datagramChannel);
      dnsConfig = cfg.dns();
      if (old != null) {
        discovery.apply(List.of());   // questions in flight on the old resolver are forgotten, not counted as failures
        old.close();
      }
    }
    discovery.apply(cfg.pools());
  }

  /** The pools' discover entries as this node sees them (admin API, metrics). */
  public io.tandem.discovery.Discovery discovery() {
    return discovery;
  }

  /** Replaces the configuration without dropping open connections. */
  @Override
  public Future<Void> reload(TandemConfig next) {
    Promise<Void> done = Promise.promise();
    control.runOnContext(v -> reloadOnControl(next).onComplete(done));
    return done.future();
  }

  private Future<Void> reloadOnControl(TandemConfig next) {
    TandemConfig previous = config;
    config = next;
    applyControl(next);
    return listeners.reload(previous, next).onSuccess(x -> LOG.info("configuration reloaded"));
  }

  /** Stops accepting, lets in-flight requests finish for at most {@code drain}, then closes everything. */
  @Override
  public Future<Void> shutdown(Duration drain) {
    LOG.info("stopping: draining in-flight requests for up to {} ms", drain.toMillis());
    // VIPs first, so that their successors take over while this node drains.
    return vips.stop().transform(ignored -> drainAndClose(drain));
  }

  private Future<Void> drainAndClose(Duration drain) {
    AdminServer running = admin;
    Future<Void> adminStopped = running == null ? Future.succeededFuture() : running.stop();
    listeners.drain(drain.toMillis());
    List<Future<?>> stops = new ArrayList<>();
    stops.add(adminStopped);
    stops.addAll(listeners.stopAll());
    // Then, in order: what uses the cluster on timers and event loops stops; the member leaves on a worker thread
    // (Hazelcast's shutdown blocks for seconds: never on an event loop); Vert.x closes last.
    return Future.all(stops)
        .transform(ar -> onControl(this::stopClusterUsers))
        .transform(ar -> leaveCluster())
        .transform(ar -> vertx.close().onComplete(closed -> meters.close()));
  }

  /** Stops the timers and tasks that read or write shared state, on the control context they run on. */
  private void stopClusterUsers() {
    vertx.cancelTimer(expiryTimer);
    vertx.cancelTimer(queueTimer);
    rateLimits.close();
    discovery.close();
    if (dns != null) {
      dns.close();   // its UDP socket
    }
    health.close();
    probes.close();
    clients.close();
    listeners.closeQuicRelay();
  }

  private Future<Void> onControl(Runnable action) {
    Promise<Void> done = Promise.promise();
    control.runOnContext(v -> {
      try {
        action.run();
        done.complete();
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }

  /** Leaves the cluster (withdraws this node's entries, hands its partitions over) on a worker thread. */
  private Future<Void> leaveCluster() {
    return vertx.executeBlocking(() -> {
      shared.close();
      return null;
    }, false).<Void>mapEmpty().onFailure(err -> LOG.warn("leaving the cluster: {}", err.toString()));
  }

  /** The port a listener is bound to (useful when configured with port 0). */
  @Override
  public int port(String listenerName) {
    return listeners.port(listenerName);
  }

  /** The admin listener's bound port; 0 when the node has none. */
  public int adminPort() {
    return adminPort;
  }

  /** The admin listener, or null when the node has none. */
  public AdminServer admin() {
    return admin;
  }

  /** The configuration in force. */
  @Override
  public TandemConfig config() {
    return config;
  }

  /** The routing state, for tests and (later) the admin API. */
  public UpstreamRegistry registry() {
    return registry;
  }

  /** A listener's runtime counters, for tests and (later) the admin API. */
  public ListenerRuntime listener(String name) {
    return listeners.http(name);
  }

  /** A TCP listener's runtime counters, for tests and (later) the admin API; null for an HTTP listener. */
  public TcpListenerRuntime tcpListener(String name) {
    return listeners.tcp(name);
  }

  /** This node's rate limits (status for the admin API, metrics and tests). */
  public io.tandem.limits.RateLimits rateLimits() {
    return rateLimits;
  }

  /** Circuit breakers, retry budgets and slow starts per pool (for the admin API and tests). */
  public io.tandem.limits.PoolGuards poolGuards() {
    return poolGuards;
  }

  /** Open connections per client address on this node (for the admin API and tests). */
  public io.tandem.limits.ClientConnections clientConnections() {
    return clientConnections;
  }

  /** The affinity table this node routes by (shared in a cluster), for tests and measurements. */
  public io.tandem.affinity.AffinityTable affinity() {
    return shared.affinity();
  }

  /** This node's metrics: the Prometheus scrape and the figures for the admin API. */
  public NodeMetrics metrics() {
    return metrics;
  }

  /** What the cluster shares with this node: membership, QUIC peers (tests). */
  public SharedState shared() {
    return shared;
  }

  /**
   * Stops at once, as a crash would (tests): the HTTP/3 sockets and the QUIC relay close without a word to their
   * clients, the cluster member is terminated (the others see it gone at once), then everything else closes.
   */
  public Future<Void> crash() {
    listeners.crash();
    shared.terminate();
    return vertx.close().onComplete(closed -> meters.close());
  }

  public Vertx vertx() {
    return vertx;
  }

  /** This node's VIP controller (status, history, problems), or null when the configuration has no VIPs. */
  public io.tandem.vip.VipController vipController() {
    return vips.controller();
  }
}
