package io.tandem.testing;

import io.tandem.cluster.AdminState;
import io.tandem.upstream.Backend;
import io.tandem.upstream.BackendStats;

/** Backends for unit tests of algorithms, queues and affinity: no sockets behind them. */
public final class TestBackend {
  private TestBackend() {}

  /** Healthy, enabled, unlimited, with fresh counters, in pool {@code test} at 127.0.0.1:1. */
  public static Backend of(String id, int weight) {
    return new Backend("test", id, "127.0.0.1", 1, weight, 0, id, new BackendStats(), true, false, AdminState.ENABLED);
  }
}
