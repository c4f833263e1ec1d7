package io.tandem.proxy.tcp;

import io.tandem.cluster.AffinityTable;
import io.tandem.config.ListenerConfig;
import io.tandem.proxy.Outcome;
import io.tandem.upstream.UpstreamRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every event-loop instance of one TCP listener shares: its configuration (swapped on reload), the registry, the
 * affinity table, and the listener's counters (open connections, outcomes, bytes each way). Lock-free.
 */
public final class TcpListenerRuntime {
  private final String name;
  private final UpstreamRegistry registry;
  private final AffinityTable affinity;
  private final AtomicInteger connections = new AtomicInteger();
  private final LongAdder[] outcomes = new LongAdder[Outcome.values().length];
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private volatile ListenerConfig config;
  private volatile boolean accessLog;
  private volatile long drainMillis = 30_000;
  private volatile io.tandem.tls.ServerTls tls;
  private volatile io.tandem.limits.PoolGuards poolGuards;
  private volatile io.tandem.limits.ClientConnections clientConnections;
  private volatile io.tandem.limits.RateLimits rateLimits;
  private final java.util.concurrent.atomic.AtomicLong nextLogNanos = new java.util.concurrent.atomic.AtomicLong();

  public TcpListenerRuntime(ListenerConfig config, UpstreamRegistry registry, AffinityTable affinity,
      boolean accessLog) {
    this.name = config.name();
    this.config = config;
    this.registry = registry;
    this.affinity = affinity;
    this.accessLog = accessLog;
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

  /** Applies a reloaded listener configuration (same name and address); open connections keep their settings. */
  public void update(ListenerConfig config, boolean accessLog) {
    this.config = config;
    this.accessLog = accessLog;
  }

  /** How long a stopping listener lets open connections run before closing them. */
  /** Terminates TLS on this listener's connections with {@code tls} (set before the verticles start). */
  public void tls(io.tandem.tls.ServerTls tls) {
    this.tls = tls;
  }

  /** The listener's TLS material, or null for plain TCP. */
  public io.tandem.tls.ServerTls tls() {
    return tls;
  }

  public void drainMillis(long drainMillis) {
    this.drainMillis = drainMillis;
  }

  long drainMillis() {
    return drainMillis;
  }

  UpstreamRegistry registry() {
    return registry;
  }

  AffinityTable affinity() {
    return affinity;
  }

  boolean accessLog() {
    return accessLog && TcpAccessLog.enabled();
  }

  AtomicInteger connections() {
    return connections;
  }

  /** At most once a second: whether a refused connection may be logged (a flood of them is only counted). */
  boolean logAllowed() {
    long now = System.nanoTime();
    long next = nextLogNanos.get();
    return now - next >= 0 && nextLogNanos.compareAndSet(next, now + 1_000_000_000L);
  }

  /** Open client connections. */
  public int openConnections() {
    return connections.get();
  }

  void record(Outcome outcome, long in, long out) {
    outcomes[outcome.ordinal()].increment();
    bytesIn.add(in);
    bytesOut.add(out);
  }

  /** Connections that ended in {@code outcome} on this listener. */
  public long count(Outcome outcome) {
    return outcomes[outcome.ordinal()].sum();
  }

  /** Bytes received from clients and forwarded to backends (PROXY headers not included). */
  public long bytesIn() {
    return bytesIn.sum();
  }

  /** Bytes received from backends and forwarded to clients. */
  public long bytesOut() {
    return bytesOut.sum();
  }

  /** Sets the node's pool guards (circuit breakers, retry budgets, slow start), shared with the HTTP listeners. */
  public void poolGuards(io.tandem.limits.PoolGuards poolGuards) {
    this.poolGuards = poolGuards;
  }

  io.tandem.limits.PoolGuards poolGuards() {
    return poolGuards;
  }

  /** Sets the node's cluster-wide per-client connection counts, shared with the HTTP listeners. */
  public void clientConnections(io.tandem.limits.ClientConnections clientConnections) {
    this.clientConnections = clientConnections;
  }

  io.tandem.limits.ClientConnections clientConnections() {
    return clientConnections;
  }

  /** Sets the node's cluster-wide rate limits; this listener's rules count its new connections. */
  public void rateLimits(io.tandem.limits.RateLimits rateLimits) {
    this.rateLimits = rateLimits;
  }

  io.tandem.limits.RateLimits rateLimits() {
    return rateLimits;
  }
}
