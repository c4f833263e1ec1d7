package io.tandem.health;

import io.tandem.config.HealthConfig;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import java.util.function.IntSupplier;

/** Placeholder until the health branch lands. */
public final class PassiveDetector {
  public PassiveDetector(HealthConfig.Passive cfg, IntSupplier poolSize, Clock clock, Scheduler scheduler,
      Runnable onChange) {}

  public void onSuccess(String backendId) {}

  public void onFailure(String backendId) {}

  public boolean isEjected(String backendId) {
    return false;
  }
}
