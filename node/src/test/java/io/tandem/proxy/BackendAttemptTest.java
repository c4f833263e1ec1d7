package io.tandem.proxy;

import io.tandem.util.Outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.balancing.PickContext;
import io.tandem.cluster.LocalSharedState;
import io.tandem.config.TandemConfig;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import io.tandem.testing.TestConfigs;
import io.tandem.upstream.Backend;
import io.tandem.upstream.UpstreamRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The protocol-neutral backend attempt on a manual clock and scheduler, with no network: slots, the queue and its
 * time-out, hand-offs, connect retries and what is given back at the end.
 */
class BackendAttemptTest {
  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final LocalSharedState shared = new LocalSharedState("n1", clock);
  private UpstreamRegistry registry;
  private ListenerState listener;

  /** A leg that records what the attempt asked of it. */
  private static final class RecordingLeg implements BackendAttempt.Leg {
    final List<String> connected = new ArrayList<>();
    Outcome refused;

    @Override
    public void connect(Backend backend) {
      connected.add(backend.id());
    }

    @Override
    public void refuse(Outcome outcome) {
      refused = outcome;
    }
  }

  private void start(TestConfigs.PoolBuilder pool) {
    TandemConfig config = TestConfigs.config(1, TestConfigs.listener("web").defaultPool("app"), pool);
    registry = new UpstreamRegistry(shared, clock, scheduler, Runnable::run);
    registry.apply(config);
    listener = new ListenerState(config.listeners().get(0), registry, shared.affinity(), false) { };
  }

  private BackendAttempt attempt() {
    BackendAttempt a = new BackendAttempt(listener, Runnable::run, scheduler);
    assertTrue(a.admit(registry.snapshot().pool("app")));
    return a;
  }

  @Test
  void aFullBackendQueuesTheRequestUntilItsSlotIsHandedOver() {
    start(TestConfigs.pool("app").backend("b1", 9001, 1, 1).queue(10, Duration.ofSeconds(5)));
    RecordingLeg first = new RecordingLeg();
    BackendAttempt a = attempt();
    a.start(PickContext.create(), BackendAttempt.NONE, first);
    assertEquals(List.of("b1"), first.connected);

    RecordingLeg second = new RecordingLeg();
    BackendAttempt b = attempt();
    b.start(PickContext.create(), BackendAttempt.NONE, second);
    assertEquals(List.of(), second.connected, "b1 is at max-connections: the second request waits");
    assertNull(second.refused);

    a.end(Outcome.OK, 200);   // gives b1's slot back, straight to the waiter
    assertEquals(List.of("b1"), second.connected);
    b.end(Outcome.OK, 200);
    assertEquals(0, registry.localCounts().getOrDefault("app/b1", 0));
  }

  @Test
  void theQueueTimesOutOnTheInjectedScheduler() {
    start(TestConfigs.pool("app").backend("b1", 9001, 1, 1).queue(10, Duration.ofSeconds(2)));
    BackendAttempt holder = attempt();
    holder.start(PickContext.create(), BackendAttempt.NONE, new RecordingLeg());
    RecordingLeg waiting = new RecordingLeg();
    attempt().start(PickContext.create(), BackendAttempt.NONE, waiting);

    scheduler.advance(Duration.ofMillis(1999));
    assertNull(waiting.refused);
    scheduler.advance(Duration.ofMillis(1));
    assertEquals(Outcome.QUEUE_TIMEOUT, waiting.refused);
    holder.end(Outcome.OK, 200);
    assertEquals(0, registry.localCounts().getOrDefault("app/b1", 0), "the slot went back to the counter");
  }

  @Test
  void aFullQueueIsRefusedAtOnce() {
    start(TestConfigs.pool("app").backend("b1", 9001, 1, 1).queue(1, Duration.ofSeconds(2)));
    attempt().start(PickContext.create(), BackendAttempt.NONE, new RecordingLeg());
    attempt().start(PickContext.create(), BackendAttempt.NONE, new RecordingLeg());
    RecordingLeg third = new RecordingLeg();
    attempt().start(PickContext.create(), BackendAttempt.NONE, third);
    assertEquals(Outcome.QUEUE_FULL, third.refused);
  }

  @Test
  void aConnectFailureIsRetriedOnAnotherBackendThenRefused() {
    start(TestConfigs.pool("app").backend("b1", 9001).backend("b2", 9002).retries(2, false));
    RecordingLeg leg = new RecordingLeg();
    BackendAttempt a = attempt();
    a.start(PickContext.create(), BackendAttempt.NONE, leg);
    String first = leg.connected.get(0);
    a.connectFailed(new java.net.ConnectException("refused"));
    assertEquals(2, leg.connected.size());
    assertFalse(leg.connected.get(1).equals(first), "the retry excludes the backend that failed");
    assertNull(leg.refused);

    a.connectFailed(new java.net.ConnectException("refused"));
    assertEquals(Outcome.BACKEND_CONNECT_FAILED, leg.refused, "two backends tried: connect-attempts is 2");
    a.end(Outcome.BACKEND_CONNECT_FAILED, 502);
    assertEquals(2, a.attempts());
    assertEquals(0, registry.localCounts().values().stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void anEmptyPoolIsNoBackend() {
    start(TestConfigs.pool("app"));
    RecordingLeg leg = new RecordingLeg();
    attempt().start(PickContext.create(), BackendAttempt.NONE, leg);
    assertEquals(Outcome.NO_BACKEND, leg.refused);
  }

  @Test
  void aRequestThatEndsWhileQueuedLeavesTheQueue() {
    start(TestConfigs.pool("app").backend("b1", 9001, 1, 1).queue(10, Duration.ofSeconds(5)));
    BackendAttempt holder = attempt();
    holder.start(PickContext.create(), BackendAttempt.NONE, new RecordingLeg());
    RecordingLeg gone = new RecordingLeg();
    BackendAttempt waiting = attempt();
    waiting.start(PickContext.create(), BackendAttempt.NONE, gone);
    waiting.end(Outcome.CLIENT_ABORTED, 0);
    holder.end(Outcome.OK, 200);
    assertEquals(List.of(), gone.connected, "a client that left is not handed a slot");
    assertEquals(0, registry.localCounts().getOrDefault("app/b1", 0));
    scheduler.advance(Duration.ofSeconds(10));
    assertNull(gone.refused, "its time-out was cancelled");
  }
}
