package io.tandem.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.tandem.util.Clock;
import io.tandem.util.Outcome;

/**
 * Tracks, for one client connection, whether a request head is being received and since when, so that a periodic
 * sweep can answer 408 to clients that send their head too slowly (slowloris). The connection's handler
 * ({@link Http1Connection}) reports incoming bytes and complete heads, so no extra pipeline handler is needed. An idle
 * keep-alive connection (no byte of the next request yet) is left to the idle timeout. Event-loop confined.
 */
final class ConnectionGuard {
  private final Channel channel;
  private final Clock clock;
  private boolean awaitingHead = true;
  /** Whether a byte of the awaited head has arrived (or, for the first request, the connection was accepted). */
  private boolean headStarted = true;
  private long headStartNanos;

  ConnectionGuard(Channel channel, Clock clock) {
    this.channel = channel;
    this.clock = clock;
    // The first request's clock starts at accept: a client that connects and sends nothing is slow too.
    this.headStartNanos = clock.nanoTime();
  }

  /** Bytes arrived from the client. */
  void bytesArrived() {
    if (awaitingHead && !headStarted) {
      headStarted = true;
      headStartNanos = clock.nanoTime();
    }
  }

  /** A complete request head arrived. */
  void headReceived() {
    awaitingHead = false;
  }

  /** The exchange ended; the next bytes start the next head. */
  void awaitNextHead() {
    awaitingHead = true;
    headStarted = false;
  }

  /** Whether a head has been arriving for longer than {@code timeoutNanos}. */
  boolean isSlow(long nowNanos, long timeoutNanos) {
    return awaitingHead && headStarted && nowNanos - headStartNanos >= timeoutNanos && channel.isActive();
  }

  /** Answers 408 and closes the connection. */
  void expire() {
    awaitingHead = false;
    channel.writeAndFlush(OwnAnswers.bytes(channel.alloc(), Outcome.CLIENT_TIMEOUT, null, true))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
