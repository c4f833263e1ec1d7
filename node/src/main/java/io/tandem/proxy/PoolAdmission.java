package io.tandem.proxy;

import io.tandem.util.Outcome;
import io.tandem.balancing.PickContext;
import io.tandem.limits.PoolGuard;
import io.tandem.limits.PoolGuards;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import java.util.function.Predicate;

/**
 * One HTTP request's or TCP connection's dealings with its pool's {@link PoolGuard}: admission through the circuit
 * breaker, the retry budget, slow-start hold-backs while taking a backend slot, and the result reported at the end.
 * Event-loop confined, like its owner.
 */
public final class PoolAdmission {
  private final PoolGuards guards;
  private PoolGuard guard;
  private boolean retrying;

  public PoolAdmission(PoolGuards guards) {
    this.guards = guards;
  }

  /** False when the pool's circuit breaker is open (answer 503 at once). */
  public boolean admit(String pool) {
    guard = guards == null ? null : guards.get(pool);
    if (guard != null && !guard.admit(guards.clock().nanoTime())) {
      guard = null;
      return false;
    }
    return true;
  }

  /**
   * Takes a slot on the backend the pool's balancer picks, skipping full ones and, while others can take it, backends
   * still warming up (slow start); every backend passed over is excluded from {@code ctx}. Null when every candidate
   * is full or excluded. {@code acquire} takes a slot on a backend if its limit allows
   * ({@link io.tandem.upstream.UpstreamRegistry#tryAcquire}).
   */
  public Backend takeSlot(PoolSnapshot pool, PickContext ctx, Predicate<Backend> acquire) {
    Backend warming = null;
    for (Backend b = pool.balancer().pick(ctx); b != null; b = pool.balancer().pick(ctx)) {
      if (holdsBack(b)) {
        warming = b;   // slow start: pass it over this time, unless nothing else can take the request
      } else if (acquire.test(b)) {
        return b;
      }
      ctx.exclude(b);
    }
    return warming != null && acquire.test(warming) ? warming : null;
  }

  private boolean holdsBack(Backend b) {
    return guard != null && guard.holdsBack(b.id(), guards.clock().nanoTime());
  }

  /** Whether this request may be retried on another backend (the first retry takes from the pool's budget). */
  public boolean tryRetry() {
    if (guard == null || retrying) {
      return true;
    }
    retrying = guard.tryRetry();
    return retrying;
  }

  /**
   * The request or connection ended: report success, failure or nothing to the breaker, and give back what it held.
   * {@code status} is the HTTP status (0 for TCP: only the outcome counts).
   */
  public void finish(Outcome outcome, int status) {
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
