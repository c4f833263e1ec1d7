package io.tandem.cluster;

/** Health of one backend, as decided by checks. */
public enum HealthState {
  /** Not decided yet (just added, no check finished). Treated as healthy for traffic, like HAProxy's initial state. */
  PENDING,
  HEALTHY,
  UNHEALTHY;

  public boolean servesTraffic() {
    return this != UNHEALTHY;
  }
}
