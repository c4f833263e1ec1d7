package io.tandem.proxy.tcp;

import io.tandem.affinity.AffinityTable;
import io.tandem.config.ListenerConfig;
import io.tandem.proxy.ListenerState;
import io.tandem.util.Outcome;
import io.tandem.upstream.UpstreamRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every event-loop instance of one TCP listener shares ({@link ListenerState}), plus the bytes forwarded each
 * way and the once-a-second allowance for logging refused connections. Lock-free.
 */
public final class TcpListenerRuntime extends ListenerState {
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final AtomicLong nextLogNanos = new AtomicLong();

  public TcpListenerRuntime(ListenerConfig config, UpstreamRegistry registry, AffinityTable affinity,
      boolean accessLog) {
    super(config, registry, affinity, accessLog);
  }

  boolean accessLog() {
    return accessLogConfigured() && TcpAccessLog.enabled();
  }

  /** At most once a second: whether a refused connection may be logged (a flood of them is only counted). */
  boolean logAllowed() {
    long now = System.nanoTime();
    long next = nextLogNanos.get();
    return now - next >= 0 && nextLogNanos.compareAndSet(next, now + 1_000_000_000L);
  }

  void record(Outcome outcome, long in, long out) {
    countOutcome(outcome);
    bytesIn.add(in);
    bytesOut.add(out);
  }

  /** Bytes received from clients and forwarded to backends (PROXY headers not included). */
  public long bytesIn() {
    return bytesIn.sum();
  }

  /** Bytes received from backends and forwarded to clients. */
  public long bytesOut() {
    return bytesOut.sum();
  }
}
