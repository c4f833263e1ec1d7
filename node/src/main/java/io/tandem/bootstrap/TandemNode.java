package io.tandem.bootstrap;

import io.tandem.cluster.LocalSharedState;
import io.tandem.cluster.SharedState;
import io.tandem.config.ListenerConfig;
import io.tandem.config.TandemConfig;
import io.tandem.health.ActiveHealthChecker;
import io.tandem.health.Probes;
import io.tandem.proxy.http.BackendClients;
import io.tandem.proxy.http.HttpListenerVerticle;
import io.tandem.proxy.http.ListenerRuntime;
import io.tandem.upstream.UpstreamRegistry;
import io.tandem.util.Clock;
import io.tandem.util.VertxScheduler;
import io.tandem.vip.VipNode;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One running node: Vert.x, the listeners, health checking and the routing snapshot. The command line, the demo and
 * the integration tests all start nodes through this class.
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
  private final int eventLoops;
  private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
  private final long expiryTimer;
  private final VipNode vips;
  private volatile TandemConfig config;

  private record Listener(ListenerConfig config, ListenerRuntime runtime, String deploymentId, int port) {}

  private TandemNode(Vertx vertx, TandemConfig config, int eventLoops) {
    this.vertx = vertx;
    this.config = config;
    this.eventLoops = eventLoops;
    this.control = vertx.getOrCreateContext();
    Clock clock = Clock.SYSTEM;
    java.util.concurrent.Executor onControl = task -> control.runOnContext(v -> task.run());
    this.shared = SharedState.open(config, clock, onControl);
    VertxScheduler scheduler = new VertxScheduler(control);
    this.registry = new UpstreamRegistry(shared, clock, scheduler, onControl);
    this.clients = new BackendClients(vertx);
    this.probes = new Probes(vertx, clock);
    this.health = new ActiveHealthChecker(probes::forConfig, shared.health(), scheduler, clock);
    shared.connections().localSource(registry::localCounts);
    // Another node's traffic ejected a backend this node checks: probe it now rather than at the next interval.
    shared.health().addSuspectListener(health::probeNow);
    this.vips = VipNode.create(config, vertx, control, shared.membership()::hasQuorum);
    this.expiryTimer = vertx.setPeriodic(10_000, id -> {
      if (shared instanceof LocalSharedState local) {
        local.affinity().expire();
      }
    });
  }

  /** Starts a node with {@code config}; completes when every listener is bound. */
  public static Future<TandemNode> start(TandemConfig config) {
    int loops = config.node().eventLoops() > 0 ? config.node().eventLoops()
        : Runtime.getRuntime().availableProcessors();
    VertxOptions options = new VertxOptions()
        .setPreferNativeTransport(true)
        .setEventLoopPoolSize(loops)
        .setWorkerPoolSize(4)
        .setInternalBlockingPoolSize(4);
    Vertx vertx = Vertx.vertx(options);
    if (!vertx.isNativeTransportEnabled()) {
      LOG.warn("native epoll transport unavailable, using NIO: {}", String.valueOf(vertx.unavailableNativeTransportCause()));
    }
    TandemNode node;
    try {
      node = new TandemNode(vertx, config, loops);
    } catch (RuntimeException e) {
      vertx.close();
      return Future.failedFuture(new IllegalStateException("cannot join the cluster: " + e.getMessage(), e));
    }
    List<String> mismatches = node.shared.configMismatches();
    if (!mismatches.isEmpty()) {
      // Routing with another view of the pools than the rest of the cluster would split sessions: refuse.
      String why = "configuration differs from the cluster's, refusing traffic:\n  " + String.join("\n  ", mismatches);
      LOG.error(why);
      return node.shutdown(Duration.ZERO).transform(ignored -> Future.failedFuture(new IllegalStateException(why)));
    }
    // VIPs come last: a node takes an address only once it can serve it.
    return node.startAll().compose(v -> node.vips.start()).map(v -> node).recover(err -> vertx.close().transform(ignored -> Future.failedFuture(err)));
  }

  private Future<Void> startAll() {
    applyControl(config);
    List<Future<?>> started = new ArrayList<>();
    for (ListenerConfig lc : config.listeners()) {
      started.add(startListener(lc));
    }
    return Future.all(started).mapEmpty();
  }

  private void applyControl(TandemConfig cfg) {
    clients.drainTime(cfg.node().drainTimeout());
    clients.apply(cfg.pools());
    registry.apply(cfg);
    health.apply(cfg.pools());
  }

  private Future<Void> startListener(ListenerConfig lc) {
    ListenerRuntime runtime = new ListenerRuntime(lc, registry, clients, shared.affinity(),
        config.accessLog().enabled());
    runtime.drainMillis(config.node().drainTimeout().toMillis());
    // One deployment with one instance per event loop: Vert.x shares the bound socket among them (for port 0 too).
    List<HttpListenerVerticle> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      HttpListenerVerticle v = new HttpListenerVerticle(runtime, lc.port());
      instances.add(v);
      return v;
    }, new DeploymentOptions().setInstances(eventLoops)).map(id -> {
      int port = instances.get(0).actualPort();
      listeners.put(lc.name(), new Listener(lc, runtime, id, port));
      LOG.info("listener {} serving http on {}:{} with {} event loop(s)", lc.name(), lc.host(), port, eventLoops);
      return (Void) null;
    }).recover(err -> Future.failedFuture(new IllegalStateException(
        "listener " + lc.name() + " cannot bind " + lc.host() + ":" + lc.port() + ": " + err.getMessage(), err)));
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
    List<Future<?>> steps = new ArrayList<>();
    for (ListenerConfig lc : next.listeners()) {
      Listener running = listeners.get(lc.name());
      if (running == null) {
        steps.add(startListener(lc));
      } else if (sameSocketSettings(running.config, lc)) {
        running.runtime.update(lc, next.accessLog().enabled());
        running.runtime.drainMillis(next.node().drainTimeout().toMillis());
      } else {
        // Bind address or decoder limits changed: stop the old servers (draining) and start new ones.
        steps.add(stopListener(lc.name()).compose(x -> startListener(lc)));
      }
    }
    for (ListenerConfig old : previous.listeners()) {
      if (next.listeners().stream().noneMatch(l -> l.name().equals(old.name()))) {
        steps.add(stopListener(old.name()));
      }
    }
    return Future.all(steps).<Void>mapEmpty().onSuccess(x -> LOG.info("configuration reloaded"));
  }

  private static boolean sameSocketSettings(ListenerConfig a, ListenerConfig b) {
    return Objects.equals(a.host(), b.host()) && a.port() == b.port()
        && a.limits().maxUriLength() == b.limits().maxUriLength()
        && a.limits().maxHeaderSize() == b.limits().maxHeaderSize()
        && a.timeouts().idle().equals(b.timeouts().idle());
  }

  private Future<Void> stopListener(String name) {
    Listener l = listeners.remove(name);
    return l == null ? Future.succeededFuture() : vertx.undeploy(l.deploymentId);
  }

  /** Stops accepting, lets in-flight requests finish for at most {@code drain}, then closes everything. */
  @Override
  public Future<Void> shutdown(Duration drain) {
    // VIPs first, so that their successors take over while this node drains.
    return vips.stop().transform(ignored -> drainAndClose(drain));
  }

  private Future<Void> drainAndClose(Duration drain) {
    LOG.info("stopping: draining in-flight requests for up to {} ms", drain.toMillis());
    for (Listener l : listeners.values()) {
      l.runtime.drainMillis(drain.toMillis());
    }
    List<Future<?>> stops = new ArrayList<>();
    for (String name : List.copyOf(listeners.keySet())) {
      stops.add(stopListener(name));
    }
    return Future.all(stops).transform(ar -> {
      vertx.cancelTimer(expiryTimer);
      health.close();
      probes.close();
      clients.close();
      shared.close();
      return vertx.close();
    });
  }

  /** The port a listener is bound to (useful when configured with port 0). */
  @Override
  public int port(String listenerName) {
    Listener l = listeners.get(listenerName);
    if (l == null) {
      throw new IllegalArgumentException("no listener " + listenerName);
    }
    return l.port;
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
    Listener l = listeners.get(name);
    return l == null ? null : l.runtime;
  }

  /** The affinity table this node routes by (shared in a cluster), for tests and measurements. */
  public io.tandem.cluster.AffinityTable affinity() {
    return shared.affinity();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** This node's VIP controller (status, history, problems), or null when the configuration has no VIPs. */
  public io.tandem.vip.VipController vipController() {
    return vips.controller();
  }
}
