package io.tandem.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;

/**
 * Tracks, for one client connection, whether a request head is being received and since when, so that a periodic
 * sweep can answer 408 to clients that send their head too slowly (slowloris). The decoder reports incoming bytes
 * ({@link SmugglingGuardDecoder}), so no extra pipeline handler is needed. An idle keep-alive connection (no byte of
 * the next request yet) is left to the idle timeout. Event-loop confined.
 */
final class ConnectionGuard {
  static final AttributeKey<ConnectionGuard> KEY = AttributeKey.valueOf("tandem.guard");
  private static final byte[] TIMEOUT_BODY = "408 Request Timeout\n".getBytes(StandardCharsets.US_ASCII);

  private final Channel channel;
  private final boolean ownCodec;
  private boolean awaitingHead = true;
  private long headStartNanos;

  /** @param ownCodec whether the connection is on Tandem's own HTTP/1.1 codec (no Netty encoder in the pipeline) */
  ConnectionGuard(Channel channel, long nowNanos, boolean ownCodec) {
    this.channel = channel;
    this.ownCodec = ownCodec;
    // The first request's clock starts at accept: a client that connects and sends nothing is slow too.
    this.headStartNanos = nowNanos;
  }

  /** Bytes arrived from the client. */
  void bytesArrived() {
    if (awaitingHead && headStartNanos == 0) {
      headStartNanos = System.nanoTime();
    }
  }

  /** A complete request head arrived. */
  void headReceived() {
    awaitingHead = false;
  }

  /** The exchange ended; the next bytes start the next head. */
  void awaitNextHead() {
    awaitingHead = true;
    headStartNanos = 0;
  }

  /** Whether a head has been arriving for longer than {@code timeoutNanos}. */
  boolean isSlow(long nowNanos, long timeoutNanos) {
    return awaitingHead && headStartNanos != 0 && nowNanos - headStartNanos >= timeoutNanos && channel.isActive();
  }

  /** Answers 408 and closes the connection. */
  void expire() {
    awaitingHead = false;
    if (ownCodec) {
      channel.writeAndFlush(OwnAnswers.bytes(channel.alloc(), io.tandem.proxy.Outcome.CLIENT_TIMEOUT, null, true))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
        Unpooled.wrappedBuffer(TIMEOUT_BODY));
    resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, TIMEOUT_BODY.length);
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    resp.headers().set(HttpHeaderNames.CONNECTION, "close");
    channel.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
  }
}
