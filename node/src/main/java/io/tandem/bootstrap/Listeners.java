package io.tandem.bootstrap;

import io.tandem.affinity.AffinityTable;
import io.tandem.bootstrap.RunningListener.HttpListener;
import io.tandem.bootstrap.RunningListener.TcpListener;
import io.tandem.cluster.QuicPeers;
import io.tandem.config.ClusterConfig;
import io.tandem.config.ListenerConfig;
import io.tandem.config.Protocol;
import io.tandem.config.TandemConfig;
import io.tandem.config.TlsConfig;
import io.tandem.limits.ClientConnections;
import io.tandem.limits.NodeLimits;
import io.tandem.limits.PoolGuards;
import io.tandem.limits.RateLimits;
import io.tandem.proxy.ListenerState;
import io.tandem.proxy.h3.H3Stats;
import io.tandem.proxy.h3.QuicRelay;
import io.tandem.proxy.http.BackendClients;
import io.tandem.proxy.http.HttpListenerVerticle;
import io.tandem.proxy.http.ListenerRuntime;
import io.tandem.proxy.tcp.TcpListenerRuntime;
import io.tandem.proxy.tcp.TcpListenerVerticle;
import io.tandem.tls.OcspServices;
import io.tandem.tls.ServerTls;
import io.tandem.tls.pem.CertificateProblem;
import io.tandem.upstream.UpstreamRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The traffic listeners of one {@link TandemNode}, HTTP and TCP: starting one (TLS loaded, the node's limits attached,
 * one verticle instance per event loop sharing the bound socket), the diff a reload applies, the drain and stop, the
 * periodic re-read of certificate files, and the QUIC relay through which HTTP/3 listeners pass packets to the node
 * that owns them. Also what the admin API, the metrics and the tests read of the listeners.
 */
final class Listeners {
  /** The node's log lines keep the node's logger. */
  private static final Logger LOG = LogManager.getLogger(TandemNode.class);

  private final Vertx vertx;
  private final Context control;
  private final int eventLoops;
  /** The node's configuration in force, read when a listener starts or drains (a reload may have replaced it). */
  private final Supplier<TandemConfig> config;
  private final UpstreamRegistry registry;
  private final BackendClients clients;
  private final AffinityTable affinity;
  private final OcspServices ocsp;
  private final RateLimits rateLimits;
  private final ClientConnections clientConnections;
  private final PoolGuards poolGuards;
  private final Map<String, RunningListener> running = new ConcurrentHashMap<>();
  private QuicRelay quicRelay;

  Listeners(Vertx vertx, Context control, int eventLoops, Supplier<TandemConfig> config, UpstreamRegistry registry,
      BackendClients clients, AffinityTable affinity, OcspServices ocsp, RateLimits rateLimits,
      ClientConnections clientConnections, PoolGuards poolGuards) {
    this.vertx = vertx;
    this.control = control;
    this.eventLoops = eventLoops;
    this.config = config;
    this.registry = registry;
    this.clients = clients;
    this.affinity = affinity;
    this.ocsp = ocsp;
    this.rateLimits = rateLimits;
    this.clientConnections = clientConnections;
    this.poolGuards = poolGuards;
  }

  /** Starts the QUIC relay if the configuration needs one, then every listener; completes when all are bound. */
  Future<Void> startAll(QuicPeers quic) {
    return startQuicRelay(config.get(), quic).compose(r -> {
      List<Future<?>> started = new ArrayList<>();
      for (ListenerConfig lc : config.get().listeners()) {
        started.add(start(lc));
      }
      return Future.all(started).mapEmpty();
    });
  }

  /**
   * In a cluster with an HTTP/3 listener: the relay socket on this node's cluster address, through which the nodes
   * pass each other the QUIC packets that reached the wrong one, announced to the cluster.
   */
  private Future<Void> startQuicRelay(TandemConfig cfg, QuicPeers quic) {
    if (cfg.cluster() == null || cfg.listeners().stream().noneMatch(l -> l.http3() != null)) {
      return Future.succeededFuture();
    }
    VertxInternal vx = (VertxInternal) vertx;
    ClusterConfig cluster = cfg.cluster();
    String host = cluster.self().clusterHost();
    Promise<Void> started = Promise.promise();
    QuicRelay.start(quic, vx.nettyEventLoopGroup().next(), vx.transport()::datagramChannel,
        host, cluster.quicRelayPort()).whenComplete((relay, err) -> control.runOnContext(v -> {
          if (err != null) {
            started.fail(new IllegalStateException("QUIC relay cannot bind udp " + host + ":"
                + cluster.quicRelayPort() + ": " + BindErrors.reason(err), err));
            return;
          }
          quicRelay = relay;
          vertx.executeBlocking(() -> {
            relay.publish();
            return null;
          }, false).<Void>mapEmpty().onComplete(started);
        }));
    return started.future();
  }

  private Future<Void> start(ListenerConfig lc) {
    boolean accessLog = config.get().accessLog().enabled();
    if (lc.protocol() == Protocol.TCP) {
      TcpListenerRuntime runtime = new TcpListenerRuntime(lc, registry, affinity, accessLog);
      return deploy(lc, runtime, "tcp", port -> new TcpListenerVerticle(runtime, port),
          TcpListenerVerticle::actualPort, (id, port) -> new TcpListener(lc, runtime, id, port, new AtomicLong(-1)));
    }
    ListenerRuntime runtime = new ListenerRuntime(lc, registry, clients, affinity, accessLog);
    runtime.quicRelay(quicRelay);
    return deploy(lc, runtime, "http", port -> new HttpListenerVerticle(runtime, port),
        HttpListenerVerticle::actualPort, (id, port) -> new HttpListener(lc, runtime, id, port, new AtomicLong(-1)));
  }

  /**
   * Loads the listener's TLS side, attaches the node's limits and deploys one instance per event loop: Vert.x shares
   * the bound socket among them (for port 0 too).
   */
  private <V extends VerticleBase> Future<Void> deploy(ListenerConfig lc, ListenerState state, String protocol,
      IntFunction<V> verticle, ToIntFunction<V> actualPort,
      BiFunction<String, Integer, RunningListener> bound) {
    if (lc.tls() != null) {
      try {
        state.tls(ServerTls.load(lc.name(), lc.tls(), ocsp));
      } catch (CertificateProblem p) {
        return Future.failedFuture(new IllegalStateException("listener " + lc.name() + ": tls." + p.field() + ": "
            + p.getMessage(), p));
      }
    }
    state.rateLimits(rateLimits);
    state.clientConnections(clientConnections);
    state.poolGuards(poolGuards);
    List<IntSupplier> instances = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      V v = verticle.apply(lc.port());
      instances.add(() -> actualPort.applyAsInt(v));
      return v;
    }, new DeploymentOptions().setInstances(eventLoops)).map(id -> {
      int port = instances.get(0).getAsInt();
      RunningListener started = bound.apply(id, port);
      TandemConfig cfg = config.get();
      started.update(lc, cfg.accessLog().enabled(), cfg.node().drainTimeout().toMillis());
      running.put(lc.name(), started);
      watchCertificates(started.tls(), started.tlsTimer());
      ServerTls tls = started.tls();
      String serving = protocol + (tls == null ? "" : " with " + tls.engineName() + " TLS");
      LOG.info("listener {} serving {} on {}:{} with {} event loop(s)", lc.name(), serving, lc.host(), port,
          eventLoops);
      return (Void) null;
    }).recover(err -> Future.failedFuture(new IllegalStateException(
        "listener " + lc.name() + " cannot bind " + lc.host() + ":" + lc.port() + ": " + BindErrors.reason(err), err)));
  }

  /** (Re)starts the re-read of a listener's certificate files every {@code reload-interval}, off the event loops. */
  private void watchCertificates(ServerTls tls, AtomicLong timer) {
    if (timer.get() >= 0) {
      vertx.cancelTimer(timer.get());
      timer.set(-1);
    }
    if (tls != null) {
      timer.set(vertx.setPeriodic(tls.config().reloadInterval().toMillis(),
          id -> vertx.executeBlocking(tls::poll, false)));
    }
  }

  /**
   * Moves the listeners from {@code previous} to {@code next} (already in force) without dropping open connections:
   * a listener with the same socket settings is updated in place, one whose socket changed is stopped (draining) and
   * started again, new ones start and removed ones stop.
   */
  Future<Void> reload(TandemConfig previous, TandemConfig next) {
    List<Future<?>> steps = new ArrayList<>();
    for (ListenerConfig lc : next.listeners()) {
      RunningListener l = running.get(lc.name());
      if (l == null) {
        steps.add(start(lc));
      } else if (sameSocketSettings(l.config(), lc)) {
        l.update(lc, next.accessLog().enabled(), next.node().drainTimeout().toMillis());
        if (lc.tls() != null) {
          steps.add(l.tls().reconfigure(lc.tls()));
          watchCertificates(l.tls(), l.tlsTimer());
        }
      } else {
        // Bind address, decoder limits or HTTP/2 settings changed: stop the old servers (draining) and start new ones.
        steps.add(stop(lc.name()).compose(x -> start(lc)));
      }
    }
    for (ListenerConfig old : previous.listeners()) {
      if (next.listeners().stream().noneMatch(l -> l.name().equals(old.name()))) {
        steps.add(stop(old.name()));
      }
    }
    return Future.all(steps).mapEmpty();
  }

  private static boolean sameSocketSettings(ListenerConfig a, ListenerConfig b) {
    return Objects.equals(a.host(), b.host()) && a.port() == b.port() && a.protocol() == b.protocol()
        && a.limits().maxUriLength() == b.limits().maxUriLength()
        && a.limits().maxHeaderSize() == b.limits().maxHeaderSize()
        && a.timeouts().idle().equals(b.timeouts().idle())
        && a.h2c() == b.h2c() && a.http2().equals(b.http2()) && Objects.equals(a.http3(), b.http3())
        && sameTlsSocket(a.tls(), b.tls());
  }

  /**
   * TLS on or off, its engine, ALPN and OCSP stapling on or off (contexts are built with OCSP for it) are fixed when
   * a server starts; the rest is updated in place.
   */
  private static boolean sameTlsSocket(TlsConfig a, TlsConfig b) {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    return a.engine() == b.engine() && a.alpn().equals(b.alpn()) && a.ocsp().stapling() == b.ocsp().stapling();
  }

  /** Gives every listener's in-flight requests and open connections at most {@code drainMillis} once it stops. */
  void drain(long drainMillis) {
    for (RunningListener l : running.values()) {
      l.update(l.config(), config.get().accessLog().enabled(), drainMillis);
    }
  }

  /** Stops every listener (each drains as {@link #drain} set); one future per listener. */
  List<Future<Void>> stopAll() {
    List<Future<Void>> stops = new ArrayList<>();
    for (String name : List.copyOf(running.keySet())) {
      stops.add(stop(name));
    }
    return stops;
  }

  private Future<Void> stop(String name) {
    RunningListener l = running.remove(name);
    if (l != null && l.tlsTimer().get() >= 0) {
      vertx.cancelTimer(l.tlsTimer().get());
    }
    if (l != null && l.tls() != null) {
      l.tls().close();
    }
    return l == null ? Future.succeededFuture() : vertx.undeploy(l.deploymentId());
  }

  /** Closes the QUIC relay, if one started. */
  void closeQuicRelay() {
    if (quicRelay != null) {
      quicRelay.close();
    }
  }

  /** As a crash would: the QUIC relay and the HTTP/3 sockets close without a word to their clients. */
  void crash() {
    closeQuicRelay();
    for (RunningListener l : running.values()) {
      if (l instanceof HttpListener http) {
        http.runtime().closeHttp3();
      }
    }
  }

  /** Whether every listener of {@code cfg} is bound. */
  boolean allRunning(TandemConfig cfg) {
    return cfg.listeners().stream().allMatch(l -> running.containsKey(l.name()));
  }

  /** The port a listener is bound to. */
  int port(String name) {
    RunningListener l = running.get(name);
    if (l == null) {
      throw new IllegalArgumentException("no listener " + name);
    }
    return l.port();
  }

  /** An HTTP listener's runtime; null for a TCP listener or none. */
  ListenerRuntime http(String name) {
    return running.get(name) instanceof HttpListener l ? l.runtime() : null;
  }

  /** A TCP listener's runtime; null for an HTTP listener or none. */
  TcpListenerRuntime tcp(String name) {
    return running.get(name) instanceof TcpListener l ? l.runtime() : null;
  }

  /** What each HTTP listener's route actions did on this node, for the admin API. */
  Map<String, Map<String, Map<String, Object>>> routeCounts() {
    Map<String, Map<String, Map<String, Object>>> out = new TreeMap<>();
    running.forEach((name, l) -> {
      if (l instanceof HttpListener http) {
        out.put(name, http.runtime().routes().view());
      }
    });
    return out;
  }

  /** The QUIC side of each listener with HTTP/3 on this node, for the admin API. */
  Map<String, Map<String, Object>> http3Facts() {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    running.forEach((name, l) -> {
      if (l instanceof HttpListener http && http.config().http3() != null) {
        H3Stats.Snapshot s = http.runtime().http3().snapshot();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("udpPort", http.runtime().http3Port());
        f.put("open", s.open());
        f.put("handshaking", s.handshaking());
        f.put("accepted", s.accepted());
        f.put("refused", s.refused());
        f.put("retries", s.retries());
        f.put("streams", s.streams());
        f.put("relayedToOwner", s.relayedOut());
        f.put("relayedFromOwner", s.relayedIn());
        f.put("statelessResets", s.statelessResets());
        out.put(name, f);
      }
    });
    return out;
  }

  /** Refusals by listener and reason, for the admin API. */
  Map<String, Map<String, Long>> refusals() {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    running.forEach((name, l) -> out.put(name, NodeLimits.refusals(l.state()::count)));
    return out;
  }
}
