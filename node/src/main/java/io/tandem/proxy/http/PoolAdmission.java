package io.tandem.proxy.http;

import io.tandem.limits.PoolGuard;
import io.tandem.limits.PoolGuards;
import io.tandem.proxy.Outcome;
import io.tandem.upstream.Backend;

/**
 * One request's dealings with its pool's {@link PoolGuard}: admission through the circuit breaker, the retry budget,
 * slow-start hold-backs, and the result reported when the request ends. Event-loop confined, like the exchange.
 */
final class PoolAdmission {
  private final PoolGuards guards;
  private PoolGuard guard;
  private boolean retrying;

  PoolAdmission(PoolGuards guards) {
    this.guards = guards;
  }

  /** False when the pool's circuit breaker is open (answer 503 at once). */
  boolean admit(String pool) {
    guard = guards == null ? null : guards.get(pool);
    if (guard != null && !guard.admit(guards.clock().nanoTime())) {
      guard = null;
      return false;
    }
    return true;
  }

  /** Whether to pass over this pick of {@code b} because it is still warming up. */
  boolean holdsBack(Backend b) {
    return guard != null && guard.holdsBack(b.id(), guards.clock().nanoTime());
  }

  /** Whether this request may be retried on another backend (the first retry takes from the pool's budget). */
  boolean tryRetry() {
    if (guard == null || retrying) {
      return true;
    }
    retrying = guard.tryRetry();
    return retrying;
  }

  /** The request ended: report success, failure or nothing to the breaker, and give back what it held. */
  void finish(Outcome outcome, int status) {
    if (guard == null) {
      return;
    }
    PoolGuard g = guard;
    guard = null;
    switch (outcome) {
      case BACKEND_CONNECT_FAILED, BACKEND_ERROR, BACKEND_TIMEOUT -> g.done(true, retrying, guards.clock().nanoTime());
      case OK, UPGRADED -> g.done(status >= 500, retrying, guards.clock().nanoTime());
      default -> g.release(retrying);
    }
  }
}
