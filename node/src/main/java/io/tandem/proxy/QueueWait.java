package io.tandem.proxy;

import io.tandem.upstream.PoolQueue;
import io.tandem.upstream.Backend;
import io.tandem.util.Scheduler;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's (HTTP) or connection's (TCP) wait in its pool's queue: the time-out, the hand-off of a freed slot
 * (which may come from any thread and hops back to the owner's event loop), and leaving early. The request or
 * connection itself stays with its owner; this class only tells it when the wait ended.
 */
public final class QueueWait implements PoolQueue.Waiter {

  /** What the waiting request or connection provides. Called on its event loop. */
  public interface Owner {
    /** The only backend the request accepts (a persisted session), or null for any. */
    String requiredBackendId();

    /** Takes a free slot for this request right now if there is one (any backend, or the required one), else null. */
    Backend slotNow(String required);

    /** Whether the request already ended (client gone). */
    boolean finished();

    /** The wait ended with {@code backend}'s slot taken for the request. */
    void acquired(Backend backend);

    /** The wait ended with the time-out. */
    void timedOut();
  }

  private final Executor loop;
  private final Scheduler scheduler;
  private final PoolQueue queue;
  private final Owner owner;
  private final AtomicBoolean claimed = new AtomicBoolean();
  private Scheduler.Cancellable timer;

  /**
   * @param loop      runs a task on the owner's event loop (a hand-off from another thread hops back through it)
   * @param scheduler the owner's timers; its tasks run on the owner's event loop
   */
  public QueueWait(Executor loop, Scheduler scheduler, PoolQueue queue, Owner owner) {
    this.loop = loop;
    this.scheduler = scheduler;
    this.queue = queue;
    this.owner = owner;
  }

  /** Joins the queue for at most {@code timeout}; false when the queue is full. */
  public boolean enter(Duration timeout) {
    if (!queue.offer(this)) {
      return false;
    }
    timer = scheduler.schedule(timeout.isZero() || timeout.isNegative() ? Duration.ofMillis(1) : timeout, () -> {
      timer = null;
      if (claim()) {
        queue.remove(this);
        owner.timedOut();
      }
    });
    retryAfterEnter();
    return true;
  }

  /**
   * A slot released between the request's failed attempt and its offer went back to the counter, not to it: try
   * once more now that it is visible to releasers, so that it never waits for a slot that is already free.
   */
  private void retryAfterEnter() {
    Backend b = owner.slotNow(requiredBackendId());
    if (b == null) {
      return;
    }
    if (claim()) {
      queue.remove(this);
      cancelTimer();
      owner.acquired(b);
    } else {
      queue.release(b);   // a releaser dispatched us meanwhile: give the extra slot back
    }
  }

  /** The request ended while possibly waiting (client gone): leave the queue. */
  public void leave() {
    if (timer != null && claim()) {
      queue.remove(this);
      cancelTimer();
    }
  }

  @Override
  public String requiredBackendId() {
    return owner.requiredBackendId();
  }

  @Override
  public boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  @Override
  public void dispatch(Backend b) {
    loop.execute(() -> {
      cancelTimer();
      if (owner.finished()) {
        queue.release(b);
        return;
      }
      owner.acquired(b);
    });
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
