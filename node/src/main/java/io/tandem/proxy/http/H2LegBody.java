package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tandem.proxy.h2.H2Stream;
import io.tandem.util.Outcome;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's request body as an {@link H2Leg} streams it to the backend stream of the moment, with the stream's
 * window as back-pressure on the client. Until the response head arrives it keeps a copy of what it sent (up to
 * {@value #REPLAY_LIMIT} bytes), so that a stream the backend refused unprocessed can be sent again elsewhere.
 * Made on the leg's first attempt with a body to stream; event-loop confined.
 */
final class H2LegBody implements Handler<Buffer> {
  static final int REPLAY_LIMIT = 64 * 1024;

  private final H2Leg leg;
  private final HttpServerRequest req;
  private final long max;
  private final List<ByteBuf> replay = new ArrayList<>(4);   // the body sent so far, while a refusal may be retried
  private int replayBytes;
  private boolean replayLost;
  private boolean ended;
  private long bytes;

  H2LegBody(H2Leg leg, HttpServerRequest req, long max) {
    this.leg = leg;
    this.req = req;
    this.max = max;
  }

  /** Starts reading the client's body into the leg's stream. */
  void start() {
    req.handler(this);
    req.endHandler(v -> {
      ended = true;
      H2Stream s = leg.stream();
      if (s != null) {
        s.data(Unpooled.EMPTY_BUFFER, true);
        s.flush();
      }
    });
    req.exceptionHandler(t -> leg.bodyFailed(Outcome.BAD_REQUEST, "request body: " + t.getMessage()));
    req.resume();
  }

  @Override
  public void handle(Buffer buf) {
    leg.bodyByte();
    bytes += buf.length();
    if (max > 0 && bytes > max) {
      req.handler(null);
      leg.bodyFailed(Outcome.BODY_TOO_LARGE, "body over " + max + " bytes");
      return;
    }
    ByteBuf piece = ((BufferInternal) buf).getByteBuf();
    keep(piece);
    H2Stream s = leg.stream();
    if (s == null) {
      req.pause();   // between attempts: kept for the next one, if at all
      return;
    }
    s.data(piece.retain(), false);
    s.flush();
    if (!s.writable()) {
      req.pause();
    }
  }

  /** Sends a new stream what the body sent before, and its end if it came; else reads on. */
  void resend(H2Stream s) {
    for (ByteBuf piece : replay) {
      s.data(piece.retainedDuplicate(), false);
    }
    if (ended) {
      s.data(Unpooled.EMPTY_BUFFER, true);
    } else {
      req.resume();
    }
  }

  /** Whether the client's body has ended. */
  boolean ended() {
    return ended;
  }

  /** Whether a copy was never kept (the body had no bytes before its end). */
  boolean keptNone() {
    return replayBytes == 0;
  }

  /** Whether all the body sent so far is at hand to be sent again. */
  boolean replayable() {
    return !replayLost;
  }

  private void keep(ByteBuf piece) {
    if (replayLost || leg.responseStarted()) {
      return;
    }
    if (replayBytes + piece.readableBytes() > REPLAY_LIMIT) {
      dropReplay();
      replayLost = true;
      return;
    }
    replayBytes += piece.readableBytes();
    replay.add(piece.retainedDuplicate());
  }

  /** The response has begun: no replay any more. */
  void loseReplay() {
    dropReplay();
    replayLost = true;
  }

  void dropReplay() {
    replay.forEach(ByteBuf::release);
    replay.clear();
  }
}
