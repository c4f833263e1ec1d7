package io.tandem.proxy.http;

import io.tandem.upstream.Backend;
import io.tandem.util.Outcome;

/**
 * The one end of every {@link Http1Exchange}: its {@link Outcome} goes to the attempt (passive health, the slot),
 * the listener's counters and the access log, once, and what the exchange still holds (timer, compressor, buffered
 * body) is let go. Static, on the exchange's own fields: the data path allocates nothing more for it.
 */
final class Http1Outcomes {
  private Http1Outcomes() {
  }

  /** Records {@code outcome} with the status {@code answered} to the client; later calls do nothing. */
  static void finish(Http1Exchange ex, Outcome outcome, int answered) {
    if (ex.finished) {
      return;
    }
    ex.finished = true;
    if (ex.gzip != null) {
      ex.gzip.close();
      ex.gzip = null;
    }
    ex.cancelTimer();
    ex.attempt.end(outcome, answered);
    Backend backend = ex.attempt.backend();
    ListenerRuntime listener = ex.listener;
    listener.finished(outcome, backend, System.nanoTime() - ex.startNanos);
    if (listener.accessLog()) {
      long micros = (System.nanoTime() - ex.startNanos) / 1000;
      AccessLog.log(listener.name(), ex.clientIp, ex.head.method(), ex.head.uri(), answered, outcome,
          ex.pool == null ? null : ex.pool.name(), backend == null ? null : backend.id(), micros, ex.requestId,
          ex.ownBytes + ex.bytesOut, ex.conn.tls(), ex.plan.target());
    }
    if (ex.bufferedBody != null) {
      ex.bufferedBody.release();
      ex.bufferedBody = null;
    }
  }
}
