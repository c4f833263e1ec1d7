package io.tandem.proxy.http;

import io.tandem.util.Outcome;
import java.util.concurrent.TimeoutException;

/**
 * What ends an {@link Http1Exchange}'s backend attempt badly, and what follows: the watchdog for a silent backend and
 * a stalled request body, a backend's failure (one more try on a fresh connection when a kept-alive one was stale, a
 * retry elsewhere when the request may be repeated, else Tandem's error, or a cut connection once the answer has
 * begun), a body that turned out bad, and the client going away. Static, on the exchange's own fields: the data path
 * allocates nothing more for it.
 */
final class Http1Failures {
  private Http1Failures() {
  }

  /**
   * One timer per exchange, re-armed lazily: the backend's silence ({@code timeouts.response}: no byte either way)
   * and, while the body streams, the client's ({@code timeouts.request-body} between two pieces).
   */
  static void armTimer(Http1Exchange ex) {
    long responseTimeout = ex.pool.config().timeouts().response().toNanos();
    long bodyTimeout = ex.lc.timeouts().requestBody().toNanos();
    long due = ex.lastActivity + responseTimeout;
    if (!ex.bodyDone) {
      due = Math.min(due, ex.lastBodyByte + bodyTimeout);
    }
    ex.timer = ex.scheduler.schedule(java.time.Duration.ofNanos(Math.max(1_000_000, due - System.nanoTime())), () -> {
      ex.timer = null;
      if (ex.finished || ex.tunnelled || ex.upstream == null) {
        return;
      }
      long now = System.nanoTime();
      if (!ex.bodyDone && now - ex.lastBodyByte >= bodyTimeout) {
        bodyFailed(ex, Outcome.CLIENT_TIMEOUT, "request body stalled");
      } else if (now - ex.lastActivity >= responseTimeout) {
        upstreamFailed(ex, new TimeoutException("no response within " + ex.pool.config().timeouts().response()),
            false);
      } else {
        armTimer(ex);
      }
    });
  }

  static void upstreamFailed(Http1Exchange ex, Throwable cause, boolean anyResponseByte) {
    if (ex.finished) {
      return;
    }
    Upstream up = ex.upstream;
    boolean timeout = cause instanceof TimeoutException;
    if (up != null) {
      ex.upstream = null;
      up.discard();
    }
    boolean replayable = ex.bodyKind == Http1Exchange.BodyKind.NONE || ex.bufferedBody != null;
    if (!timeout && !anyResponseByte && up != null && up.reused() && replayable && !ex.staleRetried) {
      // A kept-alive connection the backend closed as the request went out: once more on a fresh connection.
      ex.staleRetried = true;
      Http1Exchange.LOG.debug("stale backend connection to {}: {}", ex.attempt.backend(), cause.toString());
      ex.connectNew(ex.pool.config().protocol().http2() ? null : ex.conn.loop().connections(ex.pool.config(),
          ex.client), ex.attempt.backend());
      return;
    }
    Outcome outcome = timeout ? Outcome.BACKEND_TIMEOUT : Outcome.BACKEND_ERROR;
    ex.attempt.backend().stats().record(outcome);
    Http1Exchange.LOG.debug("backend {} failed: {}", ex.attempt.backend(), cause.toString());
    if (ex.responseStarted) {
      // Part of the answer is out: the only honest thing left is to cut the client connection.
      ex.attempt.release(true);
      Http1Outcomes.finish(ex, outcome, outcome.status());
      ex.client.close();
      return;
    }
    ex.cancelTimer();
    boolean retryable = !timeout && ex.bodyKind == Http1Exchange.BodyKind.NONE
        && ex.pool.config().retries().retryIdempotent() && RequestKeys.idempotent(ex.head.method());
    if (!ex.attempt.retry(retryable)) {
      Http1OwnAnswer.fail(ex, outcome);
    }
  }

  /** The request body broke a rule (framing, size, time): the backend connection goes, the client is refused. */
  static void bodyFailed(Http1Exchange ex, Outcome outcome, String why) {
    if (ex.upstream != null) {
      Upstream up = ex.upstream;
      ex.upstream = null;
      up.discard();
      ex.attempt.release(false);
    }
    Http1OwnAnswer.reject(ex, outcome, why);
  }

  /** The client went away. */
  static void clientGone(Http1Exchange ex) {
    if (ex.finished) {
      return;
    }
    if (ex.tunnelled) {
      Http1ResponseRelay.endTunnel(ex);
    } else {
      Http1Outcomes.finish(ex, Outcome.CLIENT_ABORTED, 0);
    }
    if (ex.upstream != null) {
      Upstream up = ex.upstream;
      ex.upstream = null;
      up.discard();
    }
  }
}
