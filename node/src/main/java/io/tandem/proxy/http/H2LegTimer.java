package io.tandem.proxy.http;

import io.tandem.util.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The one timer of an {@link H2Leg}, set for the earliest of three ends: the backend's silence
 * ({@code timeouts.response} since anything last came or went), the client's body stalling
 * ({@code timeouts.request-body}, while a streamed body is still being sent and no answer has begun) and a gRPC call's
 * deadline. Made at the leg's first send and set again on each; event-loop confined.
 */
final class H2LegTimer implements Handler<Long> {
  private final H2Leg leg;
  private final BackendLeg.Owner owner;
  private final Context context;
  private final long deadline;      // nanoTime, or 0 for none
  private final long bodyTimeout;
  private long lastActivity;
  private long lastBodyByte;
  private long timer = -1;

  H2LegTimer(H2Leg leg, BackendLeg.Owner owner, Context context, long deadline, Duration bodyTimeout) {
    this.leg = leg;
    this.owner = owner;
    this.context = context;
    this.deadline = deadline;
    this.bodyTimeout = bodyTimeout.toNanos();
  }

  /** The request's head went out on a new stream: both clocks start again. */
  void sent() {
    lastActivity = System.nanoTime();
    lastBodyByte = lastActivity;
  }

  /** Something came from the backend. */
  void activity() {
    lastActivity = System.nanoTime();
  }

  /** A piece of the client's body came (and goes on to the backend). */
  void bodyByte() {
    lastBodyByte = System.nanoTime();
    lastActivity = lastBodyByte;
  }

  void arm() {
    cancel();
    long due = lastActivity + leg.responseTimeout().toNanos();
    if (leg.bodyStreaming()) {   // a streaming call's client may pause then
      due = Math.min(due, lastBodyByte + bodyTimeout);
    }
    if (deadline != 0) {
      due = Math.min(due, deadline);
    }
    long ms = Math.max(1, (due - System.nanoTime()) / 1_000_000);
    timer = context.owner().setTimer(ms, this);
  }

  @Override
  public void handle(Long id) {
    timer = -1;
    if (owner.finished() || leg.stream() == null) {
      return;
    }
    long now = System.nanoTime();
    Duration response = leg.responseTimeout();
    if (deadline != 0 && now >= deadline) {
      owner.upstreamFailed(new TimeoutException("gRPC deadline (grpc-timeout) passed"));
    } else if (leg.bodyStreaming() && now - lastBodyByte >= bodyTimeout) {
      leg.bodyFailed(Outcome.CLIENT_TIMEOUT, "request body stalled");
    } else if (now - lastActivity >= response.toNanos()) {
      owner.upstreamFailed(new TimeoutException("backend silent for " + response));
    } else {
      arm();
    }
  }

  void cancel() {
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
      timer = -1;
    }
  }
}
