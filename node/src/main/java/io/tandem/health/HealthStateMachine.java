package io.tandem.health;

import io.tandem.cluster.HealthState;
/**
 * Rise/fall thresholds over a stream of probe outcomes, with explicit transitions.
 *
 * <p>{@code rise} consecutive successes make a backend {@link HealthState#HEALTHY} (from PENDING or UNHEALTHY);
 * {@code fall} consecutive failures make it {@link HealthState#UNHEALTHY} (from PENDING or HEALTHY). A success ends a
 * failure streak and a failure ends a success streak. Example with rise 2, fall 3, starting PENDING:
 * {@code ok, ok} gives HEALTHY; then {@code fail, fail, ok, fail, fail, fail} gives UNHEALTHY only at the last fail.
 *
 * <p>Pure and not thread-safe: one checker loop drives one instance.
 */
public final class HealthStateMachine {

  /** A change of state caused by one outcome. */
  public record Transition(HealthState from, HealthState to) {}

  private final int rise;
  private final int fall;
  private HealthState state;
  private int successes;
  private int failures;

  public HealthStateMachine(int rise, int fall) {
    this(rise, fall, HealthState.PENDING);
  }

  /** Starts in {@code initial}, e.g. the cluster's current verdict when this node takes over a backend's checks. */
  public HealthStateMachine(int rise, int fall, HealthState initial) {
    if (rise < 1 || fall < 1) {
      throw new IllegalArgumentException("rise and fall must be at least 1, got rise " + rise + ", fall " + fall);
    }
    this.rise = rise;
    this.fall = fall;
    this.state = initial;
  }

  public HealthState state() {
    return state;
  }

  /** Feeds one outcome; returns the transition it caused, or null when the state stays. */
  public Transition record(boolean ok) {
    HealthState next = state;
    if (ok) {
      failures = 0;
      successes++;
      if (successes >= rise) {
        next = HealthState.HEALTHY;
      }
    } else {
      successes = 0;
      failures++;
      if (failures >= fall) {
        next = HealthState.UNHEALTHY;
      }
    }
    if (next == state) {
      return null;
    }
    Transition t = new Transition(state, next);
    state = next;
    return t;
  }
}
