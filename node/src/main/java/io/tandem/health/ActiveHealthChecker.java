package io.tandem.health;

import io.tandem.cluster.HealthBoard;
import io.tandem.config.PoolConfig;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import io.vertx.core.Vertx;
import java.util.List;

/** Placeholder until the health branch lands. */
public final class ActiveHealthChecker {
  public ActiveHealthChecker(Vertx vertx, HealthBoard board, Scheduler scheduler, Clock clock) {}

  public void apply(List<PoolConfig> pools) {}

  public void close() {}
}
