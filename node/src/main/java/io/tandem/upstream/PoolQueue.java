package io.tandem.upstream;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests of one pool waiting for a backend slot (every candidate was at its {@code max-connections}). FIFO and
 * lock-free. When a request finishes, its slot is handed straight to the first waiter that accepts that backend, so a
 * waiting request is never overtaken by a newcomer for the slot it was waiting for.
 *
 * <p>One instance per pool survives configuration reloads; its bound is updated in place.
 */
public final class PoolQueue {

  /** A waiting request. Implemented by the proxy; all methods are called from any thread. */
  public interface Waiter {
    /** The only backend this waiter accepts (a persisted session), or null for any. */
    String requiredBackendId();

    /** Claims the waiter for dispatch or time-out; only the first claim wins. */
    boolean claim();

    /** Called once after a successful {@link #claim()}: {@code backend}'s slot is already taken for it. */
    void dispatch(Backend backend);
  }

  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private volatile int maxSize;

  public PoolQueue(int maxSize) {
    this.maxSize = maxSize;
  }

  public void maxSize(int maxSize) {
    this.maxSize = maxSize;
  }

  public int size() {
    return size.get();
  }

  public boolean isEmpty() {
    return size.get() == 0;
  }

  /** Adds a waiter; false when the queue is full (answer 503 at once). */
  public boolean offer(Waiter w) {
    while (true) {
      int n = size.get();
      if (n >= maxSize) {
        return false;
      }
      if (size.compareAndSet(n, n + 1)) {
        waiters.add(w);
        return true;
      }
    }
  }

  /** Removes a waiter that gave up (timed out, client gone) or served itself. */
  public void remove(Waiter w) {
    if (waiters.remove(w)) {
      size.decrementAndGet();
    }
  }

  /**
   * Offers slots that became free elsewhere to the waiters, oldest first: a slot freed on another node reaches this
   * node only through the others' published counts, not through a local {@link #release}. Called when those counts
   * may have changed (every publication interval while the queue is not empty). Returns the waiters dispatched.
   *
   * @param othersActive the other nodes' in-flight count of a backend, as last published
   */
  public int recheck(java.util.List<Backend> backends, java.util.function.ToIntFunction<Backend> othersActive) {
    int dispatched = 0;
    Iterator<Waiter> it = waiters.iterator();
    while (size.get() > 0 && it.hasNext()) {
      Waiter w = it.next();
      String required = w.requiredBackendId();
      Backend slot = null;
      for (Backend b : backends) {
        boolean accepts = required == null ? b.eligible() : b.id().equals(required) && b.acceptsBound();
        if (accepts && b.stats().tryAcquire(b.maxConnections(), othersActive.applyAsInt(b))) {
          slot = b;
          break;
        }
      }
      if (slot == null) {
        if (required == null) {
          return dispatched;   // no room for anyone: later waiters cannot do better
        }
        continue;
      }
      if (waiters.remove(w)) {
        size.decrementAndGet();
        if (w.claim()) {
          w.dispatch(slot);
          dispatched++;
          continue;
        }
      }
      release(slot);   // the waiter left meanwhile: the slot goes to the next one, or back
    }
    return dispatched;
  }

  /**
   * Gives back one slot of {@code backend}: to the first waiter that takes it, else to the backend's counter.
   * Call exactly once per acquired slot.
   */
  public void release(Backend backend) {
    if (size.get() > 0 && backend.acceptsBound()) {
      Iterator<Waiter> it = waiters.iterator();
      while (it.hasNext()) {
        Waiter w = it.next();
        String required = w.requiredBackendId();
        if ((required == null && backend.eligible()) || backend.id().equals(required)) {
          if (waiters.remove(w)) {
            size.decrementAndGet();
            if (w.claim()) {
              w.dispatch(backend);
              return;
            }
          }
        }
      }
    }
    backend.stats().release();
  }
}
