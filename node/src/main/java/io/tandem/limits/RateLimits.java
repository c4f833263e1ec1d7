package io.tandem.limits;

import io.tandem.cluster.UsageExchange;
import io.tandem.config.ListenerConfig;
import io.tandem.config.RateLimitConfig;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every rate-limit rule of this node, and their exchange with the other nodes. Each node decides alone, from its own
 * buckets ({@link RateLimiter}); every {@link #PUBLISH_INTERVAL} it publishes what it admitted since the previous
 * publication, and debits what the others published from its own buckets. Nothing on the request path waits for the
 * cluster.
 *
 * <p><b>Error bound.</b> With N nodes, rate R per second, burst B, and L the time from an admission on one node to
 * its debit on the others (one publication interval, 20 ms, plus delivery, a few ms on a LAN), the cluster admits for
 * one key, in any window of T seconds, at most {@code R x T + N x B + (N - 1) x R x L} requests: each node's bucket
 * holds at most B, refills at R, and lacks only the others' admissions of the last L. For R = 50/s, B = 10, N = 3 and
 * L = 25 ms that is 50 x T + 32.5, i.e. at most +6.5% over 10 s; one node alone with its own limit would admit up to
 * N x R. A lost publication (a node joining, a cluster hiccup) lets the others admit what it carried once more; it
 * never makes the cluster admit less than R.
 */
public final class RateLimits {
  /** How often each node publishes its admissions. */
  public static final Duration PUBLISH_INTERVAL = Duration.ofMillis(20);
  private static final Duration EXPIRY_INTERVAL = Duration.ofSeconds(1);
  private static final char SEP = '\u0000';

  private final Clock clock;
  private final Scheduler scheduler;
  private final UsageExchange exchange;
  private final Map<String, ListenerRateLimits> listeners = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.LongAdder received = new java.util.concurrent.atomic.LongAdder();
  private volatile boolean closed;
  private volatile Scheduler.Cancellable publishTask;
  private volatile Scheduler.Cancellable expiryTask;

  public RateLimits(Clock clock, Scheduler scheduler, UsageExchange exchange) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.exchange = exchange;
    exchange.onOthers(this::receive);
  }

  /** Starts publishing and expiry (call once, after the first {@link #apply}). */
  public void start() {
    publishTask = scheduler.schedule(PUBLISH_INTERVAL, this::publishLoop);
    expiryTask = scheduler.schedule(EXPIRY_INTERVAL, this::expiryLoop);
  }

  /**
   * Installs the rules of a (re)loaded configuration. A rule whose settings did not change keeps its buckets; a
   * changed or new one starts with full buckets.
   */
  public synchronized void apply(List<ListenerConfig> configs) {
    long now = clock.nanoTime();
    Map<String, ListenerRateLimits> next = new HashMap<>();
    for (ListenerConfig lc : configs) {
      ListenerRateLimits old = listeners.get(lc.name());
      List<RateLimiter> limiters = new ArrayList<>();
      for (RateLimitConfig rule : lc.rateLimits()) {
        RateLimiter kept = old == null ? null : old.limiter(rule.name());
        limiters.add(kept != null && kept.rule().equals(rule) ? kept : new RateLimiter(rule, now));
      }
      next.put(lc.name(), new ListenerRateLimits(limiters));
    }
    listeners.putAll(next);
    listeners.keySet().retainAll(next.keySet());
  }

  /** A listener's rules (empty when it has none). Data path: one map lookup. */
  public ListenerRateLimits forListener(String listener) {
    ListenerRateLimits l = listeners.get(listener);
    return l == null ? ListenerRateLimits.NONE : l;
  }

  /** A listener's rule by name, or null (control plane: the admin API reads a key's fill). */
  public RateLimiter rule(String listener, String rule) {
    return forListener(listener).limiter(rule);
  }

  public Clock clock() {
    return clock;
  }

  /** Per rule: settings, keys tracked, admitted and refused counts on this node. */
  public List<LimitsStatus.Rule> status() {
    List<LimitsStatus.Rule> rules = new ArrayList<>();
    listeners.forEach((name, l) -> {
      for (RateLimiter r : l.limiters()) {
        RateLimitConfig c = r.rule();
        rules.add(new LimitsStatus.Rule(name, c.name(), c.rate(), c.period(), c.burst(), r.trackedKeys(),
            c.maxKeys(), r.admitted(), r.refused(), r.overflowed()));
      }
    });
    rules.sort(java.util.Comparator.comparing(LimitsStatus.Rule::listener).thenComparing(LimitsStatus.Rule::rule));
    return rules;
  }

  /** Admissions of the other nodes received and debited here since start. */
  public long receivedFromOthers() {
    return received.sum();
  }

  /** Stops the periodic tasks. */
  public void close() {
    closed = true;
    for (Scheduler.Cancellable c : new Scheduler.Cancellable[] {publishTask, expiryTask}) {
      if (c != null) {
        c.cancel();
      }
    }
  }

  /** Publishes this node's admissions since the previous call (also called by tests). */
  public void publishNow() {
    Map<String, Long> out = new HashMap<>();
    listeners.forEach((name, l) -> {
      for (RateLimiter r : l.limiters()) {
        String prefix = name + SEP + r.rule().name() + SEP;
        r.drainAdmissions((key, n) -> out.merge(prefix + key, n, Long::sum));
      }
    });
    exchange.publish(out);
  }

  /** Debits the other nodes' admissions; runs on a cluster thread. */
  void receive(Map<String, Long> admitted) {
    long now = clock.nanoTime();
    admitted.forEach((k, n) -> {
      int a = k.indexOf(SEP);
      int b = a < 0 ? -1 : k.indexOf(SEP, a + 1);
      if (b < 0 || n == null || n <= 0) {
        return;
      }
      RateLimiter r = listeners.getOrDefault(k.substring(0, a), ListenerRateLimits.NONE).limiter(k.substring(a + 1, b));
      if (r != null) {
        received.add(n);
        r.debit(k.substring(b + 1), n, now);
      }
    });
  }

  private void publishLoop() {
    if (closed) {
      return;
    }
    try {
      publishNow();
    } finally {
      publishTask = scheduler.schedule(PUBLISH_INTERVAL, this::publishLoop);
    }
  }

  private void expiryLoop() {
    if (closed) {
      return;
    }
    long now = clock.nanoTime();
    try {
      listeners.values().forEach(l -> l.limiters().forEach(r -> r.expire(now)));
    } finally {
      expiryTask = scheduler.schedule(EXPIRY_INTERVAL, this::expiryLoop);
    }
  }
}
