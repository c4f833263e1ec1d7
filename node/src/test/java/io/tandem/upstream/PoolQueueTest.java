package io.tandem.upstream;

import io.tandem.testing.TestBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.AdminState;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PoolQueueTest {
  private static final class W implements PoolQueue.Waiter {
    final String required;
    final AtomicBoolean claimed = new AtomicBoolean();
    Backend got;

    W(String required) {
      this.required = required;
    }

    @Override
    public String requiredBackendId() {
      return required;
    }

    @Override
    public boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    @Override
    public void dispatch(Backend backend) {
      got = backend;
    }
  }

  @Test
  void boundedFifoHandOff() {
    PoolQueue q = new PoolQueue(2);
    Backend b = TestBackend.of("b1", 1);
    assertTrue(b.stats().tryAcquire(1, 0));
    W first = new W(null);
    W second = new W(null);
    assertTrue(q.offer(first));
    assertTrue(q.offer(second));
    assertFalse(q.offer(new W(null)), "full");
    q.release(b);
    assertSame(b, first.got, "oldest waiter gets the slot");
    assertNull(second.got);
    assertEquals(1, b.stats().active(), "slot handed over, not released");
    q.release(b);
    assertSame(b, second.got);
    q.release(b);
    assertEquals(0, b.stats().active());
    assertTrue(q.isEmpty());
  }

  @Test
  void persistedWaiterOnlyTakesItsBackend() {
    PoolQueue q = new PoolQueue(10);
    Backend b1 = TestBackend.of("b1", 1);
    Backend b2 = TestBackend.of("b2", 1);
    b1.stats().tryAcquire(0, 0);
    b2.stats().tryAcquire(0, 0);
    W sticky = new W("b2");
    W any = new W(null);
    q.offer(sticky);
    q.offer(any);
    q.release(b1);
    assertSame(b1, any.got);
    assertNull(sticky.got);
    q.release(b2);
    assertSame(b2, sticky.got);
  }

  @Test
  void timedOutWaiterIsSkippedAndDrainingBackendServesOnlyBound() {
    PoolQueue q = new PoolQueue(10);
    W gone = new W(null);
    W any = new W(null);
    W sticky = new W("b1");
    q.offer(gone);
    q.offer(any);
    q.offer(sticky);
    assertTrue(gone.claim());
    Backend draining = TestBackend.of("b1", 1).withState(true, false, AdminState.DRAINING);
    draining.stats().tryAcquire(0, 0);
    q.release(draining);
    assertNull(any.got, "a draining backend takes no new sessions");
    assertSame(draining, sticky.got);
  }

  @Test
  void slotsFreedOnOtherNodesReachWaitersOnRecheck() {
    PoolQueue q = new PoolQueue(10);
    Backend b = new Backend("test", "b1", "127.0.0.1", 1, 1, 2, "b1", new io.tandem.upstream.BackendStats(), true,
        false, AdminState.ENABLED);
    W bound = new W("b2");
    W first = new W(null);
    W second = new W(null);
    q.offer(bound);
    q.offer(first);
    q.offer(second);
    int[] others = {2};
    assertEquals(0, q.recheck(java.util.List.of(b), x -> others[0]), "the other nodes hold both slots");
    others[0] = 1;
    assertEquals(1, q.recheck(java.util.List.of(b), x -> others[0]));
    assertSame(b, first.got, "the oldest waiter that accepts b1; the one bound to b2 keeps waiting");
    assertNull(second.got);
    assertNull(bound.got);
    assertEquals(1, b.stats().active());
    assertEquals(2, q.size());
  }
}
