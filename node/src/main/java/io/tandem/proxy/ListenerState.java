package io.tandem.proxy;

import io.tandem.util.Outcome;
import io.tandem.affinity.AffinityTable;
import io.tandem.config.ListenerConfig;
import io.tandem.limits.ClientConnections;
import io.tandem.limits.PoolGuards;
import io.tandem.limits.RateLimits;
import io.tandem.tls.ServerTls;
import io.tandem.upstream.UpstreamRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every event-loop instance of one listener shares, HTTP or TCP alike: its configuration (swapped on reload),
 * the registry and affinity table, the node's limits (rate limits, per-client connection counts, pool guards), its
 * TLS side, and the listener's counters (open connections, outcomes). Lock-free: the data path only reads the
 * volatile fields and bumps the counters. The HTTP and TCP runtimes add what only their protocol has.
 */
public abstract class ListenerState {
  private final String name;
  private final UpstreamRegistry registry;
  private final AffinityTable affinity;
  private final AtomicInteger connections = new AtomicInteger();
  private final LongAdder[] outcomes = new LongAdder[Outcome.values().length];
  private volatile ListenerConfig config;
  private volatile boolean accessLog;
  private volatile long drainMillis = 30_000;
  private volatile ServerTls tls;
  private volatile RateLimits rateLimits;
  private volatile ClientConnections clientConnections;
  private volatile PoolGuards poolGuards;

  protected ListenerState(ListenerConfig config, UpstreamRegistry registry, AffinityTable affinity,
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

  public final String name() {
    return name;
  }

  public final ListenerConfig config() {
    return config;
  }

  /** Applies a reloaded listener configuration (same name and address); open connections keep their settings. */
  public void update(ListenerConfig config, boolean accessLog) {
    this.config = config;
    this.accessLog = accessLog;
  }

  /** Sets the listener's TLS side (null: plain); its instances apply it when they start. */
  public final void tls(ServerTls tls) {
    this.tls = tls;
  }

  /** The listener's TLS side, or null for plain HTTP or TCP. */
  public final ServerTls tls() {
    return tls;
  }

  /** How long a stopping instance lets in-flight requests or open connections finish. */
  public final void drainMillis(long drainMillis) {
    this.drainMillis = drainMillis;
  }

  public final long drainMillis() {
    return drainMillis;
  }

  /** The node's rate limits, which this listener's rules are looked up in (none until set). */
  public final void rateLimits(RateLimits rateLimits) {
    this.rateLimits = rateLimits;
  }

  public final RateLimits rateLimits() {
    return rateLimits;
  }

  /** The node's cluster-wide per-client connection counts (none until set: no per-client limit is enforced). */
  public final void clientConnections(ClientConnections clientConnections) {
    this.clientConnections = clientConnections;
  }

  public final ClientConnections clientConnections() {
    return clientConnections;
  }

  /** The node's circuit breakers, retry budgets and slow starts per pool (none until set). */
  public final void poolGuards(PoolGuards poolGuards) {
    this.poolGuards = poolGuards;
  }

  public final PoolGuards poolGuards() {
    return poolGuards;
  }

  public final UpstreamRegistry registry() {
    return registry;
  }

  public final AffinityTable affinity() {
    return affinity;
  }

  /** Whether the configuration asks for an access log (the protocol's logger may still be off). */
  protected final boolean accessLogConfigured() {
    return accessLog;
  }

  public final AtomicInteger connections() {
    return connections;
  }

  /** Open client connections. */
  public final int openConnections() {
    return connections.get();
  }

  protected final void countOutcome(Outcome outcome) {
    outcomes[outcome.ordinal()].increment();
  }

  /** Requests, connections or refusals that ended in {@code outcome} on this listener. */
  public final long count(Outcome outcome) {
    return outcomes[outcome.ordinal()].sum();
  }
}
