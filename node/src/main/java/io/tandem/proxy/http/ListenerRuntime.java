package io.tandem.proxy.http;

import io.tandem.cluster.AffinityTable;
import io.tandem.config.ListenerConfig;
import io.tandem.proxy.Outcome;
import io.tandem.tls.ServerTls;
import io.tandem.upstream.Backend;
import io.tandem.upstream.LatencyHistogram;
import io.tandem.upstream.UpstreamRegistry;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every event-loop instance of one listener shares: its configuration (swapped on reload), the registry, the
 * backend clients, the affinity table and the listener-level counters. Lock-free.
 */
public final class ListenerRuntime {
  private final String name;
  private final UpstreamRegistry registry;
  private final BackendClients clients;
  private final AffinityTable affinity;
  private final AtomicInteger connections = new AtomicInteger();
  private final LongAdder[] outcomes = new LongAdder[Outcome.values().length];
  private final LatencyHistogram latency = new LatencyHistogram();
  private final AtomicLong requestSeq = new AtomicLong();
  private final String requestIdPrefix;
  private volatile ListenerConfig config;
  private volatile boolean accessLog;
  private volatile long drainMillis = 30_000;
  private volatile ServerTls tls;
  private volatile String hsts;
  private volatile io.tandem.limits.RateLimits rateLimits;
  private volatile io.tandem.limits.ClientConnections clientConnections;
  private volatile io.tandem.limits.PoolGuards poolGuards;

  public ListenerRuntime(ListenerConfig config, UpstreamRegistry registry, BackendClients clients,
      AffinityTable affinity, boolean accessLog) {
    this.name = config.name();
    this.config = config;
    this.registry = registry;
    this.clients = clients;
    this.affinity = affinity;
    this.accessLog = accessLog;
    this.hsts = hstsOf(config);
    this.requestIdPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL) + "-";
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new LongAdder();
    }
  }

  public String name() {
    return name;
  }

  public ListenerConfig config() {
    return config;
  }

  /** Applies a reloaded listener configuration (same name and address). */
  public void update(ListenerConfig config, boolean accessLog) {
    this.config = config;
    this.accessLog = accessLog;
    this.hsts = hstsOf(config);
  }

  /** Sets the listener's TLS side (null: plain HTTP); its instances apply it when they start. */
  public void tls(ServerTls tls) {
    this.tls = tls;
  }

  /** The listener's TLS side, or null for plain HTTP. */
  public ServerTls tls() {
    return tls;
  }

  private static String hstsOf(ListenerConfig config) {
    return config.tls() == null || config.tls().hsts() == null ? null : config.tls().hsts().headerValue();
  }

  /** The Strict-Transport-Security value to add to responses, or null. */
  String hsts() {
    return hsts;
  }

  /** How long a stopping instance lets in-flight requests finish. */
  public void drainMillis(long drainMillis) {
    this.drainMillis = drainMillis;
  }

  /** The node's rate limits, which this listener's rules are looked up in (none until set). */
  public void rateLimits(io.tandem.limits.RateLimits rateLimits) {
    this.rateLimits = rateLimits;
  }

  io.tandem.limits.RateLimits rateLimits() {
    return rateLimits;
  }

  /** The node's per-client connection counts (none until set: no per-client limit is enforced). */
  public void clientConnections(io.tandem.limits.ClientConnections clientConnections) {
    this.clientConnections = clientConnections;
  }

  io.tandem.limits.ClientConnections clientConnections() {
    return clientConnections;
  }

  /** The node's circuit breakers, retry budgets and slow starts per pool (none until set). */
  public void poolGuards(io.tandem.limits.PoolGuards poolGuards) {
    this.poolGuards = poolGuards;
  }

  io.tandem.limits.PoolGuards poolGuards() {
    return poolGuards;
  }

  long drainMillis() {
    return drainMillis;
  }

  UpstreamRegistry registry() {
    return registry;
  }

  BackendClients clients() {
    return clients;
  }

  AffinityTable affinity() {
    return affinity;
  }

  boolean accessLog() {
    return accessLog && AccessLog.enabled();
  }

  AtomicInteger connections() {
    return connections;
  }

  /** Open client connections. */
  public int openConnections() {
    return connections.get();
  }

  void record(Outcome outcome) {
    outcomes[outcome.ordinal()].increment();
  }

  /** Requests (or refused connections) that ended in {@code outcome} on this listener. */
  public long count(Outcome outcome) {
    return outcomes[outcome.ordinal()].sum();
  }

  /** Records a finished request's duration here and, when it reached one, on its (last) backend. */
  void recordLatency(Backend backend, long nanos) {
    latency.record(nanos);
    if (backend != null) {
      backend.stats().latency().record(nanos);
    }
  }

  /** Durations of the requests this listener finished, from the request head to the outcome. */
  public LatencyHistogram latency() {
    return latency;
  }

  String nextRequestId() {
    return requestIdPrefix + Long.toHexString(requestSeq.incrementAndGet());
  }
}
