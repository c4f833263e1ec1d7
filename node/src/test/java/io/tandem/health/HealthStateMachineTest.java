package io.tandem.health;

import static io.tandem.cluster.HealthState.HEALTHY;
import static io.tandem.cluster.HealthState.PENDING;
import static io.tandem.cluster.HealthState.UNHEALTHY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.health.HealthStateMachine.Transition;
import org.junit.jupiter.api.Test;

class HealthStateMachineTest {

  @Test
  void startsPending() {
    assertEquals(PENDING, new HealthStateMachine(2, 3).state());
  }

  @Test
  void thresholdsOfOneSwitchOnEveryChange() {
    HealthStateMachine m = new HealthStateMachine(1, 1);
    assertEquals(new Transition(PENDING, HEALTHY), m.record(true));
    assertNull(m.record(true));
    assertEquals(new Transition(HEALTHY, UNHEALTHY), m.record(false));
    assertNull(m.record(false));
    assertEquals(new Transition(UNHEALTHY, HEALTHY), m.record(true));
  }

  @Test
  void pendingFailsToUnhealthyWithThresholdOne() {
    HealthStateMachine m = new HealthStateMachine(1, 1);
    assertEquals(new Transition(PENDING, UNHEALTHY), m.record(false));
    assertEquals(UNHEALTHY, m.state());
  }

  @Test
  void pendingRisesAfterRiseSuccesses() {
    HealthStateMachine m = new HealthStateMachine(3, 2);
    assertNull(m.record(true));
    assertNull(m.record(true));
    assertEquals(PENDING, m.state());
    assertEquals(new Transition(PENDING, HEALTHY), m.record(true));
  }

  @Test
  void pendingFallsAfterFallFailures() {
    HealthStateMachine m = new HealthStateMachine(3, 2);
    assertNull(m.record(false));
    assertEquals(new Transition(PENDING, UNHEALTHY), m.record(false));
  }

  @Test
  void healthyFallsOnlyAfterFallFailuresInARow() {
    HealthStateMachine m = new HealthStateMachine(1, 3);
    m.record(true);
    assertNull(m.record(false));
    assertNull(m.record(false));
    assertNull(m.record(true)); // resets the failure streak
    assertNull(m.record(false));
    assertNull(m.record(false));
    assertEquals(HEALTHY, m.state());
    assertEquals(new Transition(HEALTHY, UNHEALTHY), m.record(false));
  }

  @Test
  void unhealthyRisesOnlyAfterRiseSuccessesInARow() {
    HealthStateMachine m = new HealthStateMachine(2, 1);
    m.record(false);
    assertNull(m.record(true));
    assertNull(m.record(false)); // resets the success streak
    assertNull(m.record(true));
    assertEquals(UNHEALTHY, m.state());
    assertEquals(new Transition(UNHEALTHY, HEALTHY), m.record(true));
  }

  @Test
  void mixedOutcomesKeepPending() {
    HealthStateMachine m = new HealthStateMachine(2, 2);
    for (int i = 0; i < 5; i++) {
      assertNull(m.record(true));
      assertNull(m.record(false));
    }
    assertEquals(PENDING, m.state());
  }

  @Test
  void canStartFromAGivenVerdict() {
    HealthStateMachine m = new HealthStateMachine(2, 2, UNHEALTHY);
    assertNull(m.record(false));
    assertNull(m.record(true));
    assertEquals(new Transition(UNHEALTHY, HEALTHY), m.record(true));
  }

  @Test
  void refusesThresholdsBelowOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HealthStateMachine(0, 2));
    assertEquals("rise and fall must be at least 1, got rise 0, fall 2", e.getMessage());
  }
}
