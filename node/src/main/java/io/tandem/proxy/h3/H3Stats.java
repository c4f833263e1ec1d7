package io.tandem.proxy.h3;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one listener's HTTP/3 side counts, for the metrics and the admin API: QUIC connections (open, in handshake,
 * accepted, refused), Retry packets, request streams, and the packets relayed between nodes or answered with a
 * stateless reset. Written on the listener's event loop (and the relay's), read by anyone.
 */
public final class H3Stats {
  final AtomicInteger open = new AtomicInteger();
  final AtomicInteger handshaking = new AtomicInteger();
  final LongAdder accepted = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder streams = new LongAdder();
  final LongAdder relayedOut = new LongAdder();
  final LongAdder relayedIn = new LongAdder();
  final LongAdder resets = new LongAdder();

  /** A moment's figures. */
  public record Snapshot(int open, int handshaking, long accepted, long refused, long retries, long streams,
      long relayedOut, long relayedIn, long statelessResets) {}

  public Snapshot snapshot() {
    return new Snapshot(open.get(), handshaking.get(), accepted.sum(), refused.sum(), retries.sum(), streams.sum(),
        relayedOut.sum(), relayedIn.sum(), resets.sum());
  }

  /** A request stream was opened (counted here; its request is counted with the listener's others). */
  public void stream() {
    streams.increment();
  }
}
