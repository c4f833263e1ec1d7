package io.tandem.proxy.http;

import io.tandem.util.Outcome;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BiConsumer;

/**
 * Streams one request body from the client to the backend with back-pressure, enforcing the listener's body size limit
 * and its stall timeout (the longest pause between two pieces). Event-loop confined. When the body cannot be passed
 * on, it stops and reports the outcome ({@code body_too_large}, {@code client_timeout} or {@code bad_request} for a
 * broken chunked body) with a reason; the exchange answers and resets the backend request.
 */
final class RequestBodyPump {
  private final Vertx vertx;
  private final HttpServerRequest in;
  private final HttpClientRequest out;
  private final long maxBytes;
  private final long stallNanos;
  private final BiConsumer<Outcome, String> onFailure;
  private long bytes;
  private long lastNanos;
  private long timer = -1;
  private boolean done;

  RequestBodyPump(Vertx vertx, HttpServerRequest in, HttpClientRequest out, long maxBytes, long stallNanos,
      BiConsumer<Outcome, String> onFailure) {
    this.vertx = vertx;
    this.in = in;
    this.out = out;
    this.maxBytes = maxBytes;
    this.stallNanos = stallNanos;
    this.onFailure = onFailure;
  }

  void start() {
    lastNanos = System.nanoTime();
    arm();
    in.handler(buf -> {
      lastNanos = System.nanoTime();
      bytes += buf.length();
      if (maxBytes > 0 && bytes > maxBytes) {
        in.handler(null);
        fail(Outcome.BODY_TOO_LARGE, "body over " + maxBytes + " bytes");
        return;
      }
      out.write(buf);
      if (out.writeQueueFull()) {
        in.pause();
        out.drainHandler(v -> in.resume());
      }
    });
    in.endHandler(v -> {
      if (!done) {
        stop();
        out.end();
      }
    });
    in.exceptionHandler(t -> fail(Outcome.BAD_REQUEST, "request body: " + t.getMessage()));
    in.resume();
  }

  /** Stops the stall timer (the exchange ended for another reason). */
  void stop() {
    done = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void fail(Outcome outcome, String why) {
    if (!done) {
      stop();
      onFailure.accept(outcome, why);
    }
  }

  private void arm() {
    long due = lastNanos + stallNanos - System.nanoTime();
    timer = vertx.setTimer(Math.max(1, due / 1_000_000), id -> {
      timer = -1;
      if (done || in.isEnded()) {
        return;
      }
      if (System.nanoTime() - lastNanos >= stallNanos) {
        fail(Outcome.CLIENT_TIMEOUT, "request body stalled");
      } else {
        arm();
      }
    });
  }
}
