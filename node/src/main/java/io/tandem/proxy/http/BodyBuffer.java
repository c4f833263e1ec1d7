package io.tandem.proxy.http;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;

/**
 * Reads a small request body whole before a backend is chosen, so that a client trickling its body (R.U.D.Y.) holds
 * only its own connection, never a backend connection that other clients need (nginx buffers request bodies for the
 * same reason). Bodies with a {@code Content-Length} up to {@value #MAX_BUFFERED} bytes are buffered; larger and
 * chunked bodies, and requests with {@code Expect: 100-continue}, stream as before. The whole body must arrive within {@code timeouts.request-body}.
 */
final class BodyBuffer {
  static final int MAX_BUFFERED = 64 * 1024;

  private BodyBuffer() {}

  /** Whether this request's body should be read whole first. */
  static boolean applies(HttpServerRequest req, boolean hasBody) {
    if (!hasBody || req.isEnded()) {
      return false;
    }
    String cl = req.headers().get(HttpHeaders.CONTENT_LENGTH);
    // Expect: 100-continue waits for the backend's go-ahead before the body is sent: that one must stream.
    if (cl == null || req.headers().contains(HttpHeaders.UPGRADE) || req.headers().contains(HttpHeaders.EXPECT)) {
      return false;
    }
    try {
      return Long.parseLong(cl) <= MAX_BUFFERED;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The body's announced length, or {@link Long#MAX_VALUE} when there is none or it is not a number. */
  static long length(HttpServerRequest req) {
    String cl = req.headers().get(HttpHeaders.CONTENT_LENGTH);
    try {
      return cl == null ? Long.MAX_VALUE : Long.parseLong(cl);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Reads the body; calls {@code done} with it on the request's context, or {@code tooSlow} when it did not arrive in
   * {@code timeoutMillis}, or {@code failed} when the client went away.
   */
  static void read(HttpServerRequest req, Context context, long timeoutMillis, Consumer<Buffer> done,
      Runnable tooSlow, Runnable failed) {
    boolean[] over = {false};
    long timer = context.owner().setTimer(Math.max(1, timeoutMillis), id -> {
      over[0] = true;
      tooSlow.run();
    });
    req.body().onComplete(ar -> {
      context.owner().cancelTimer(timer);
      if (over[0]) {
        return;
      }
      if (ar.succeeded()) {
        done.accept(ar.result());
      } else {
        failed.run();
      }
    });
    req.resume();
  }
}
