package io.tandem.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.PoolConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.ManualClock;
import io.tandem.testing.TestConfigs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolGuardTest {
  private final ManualClock clock = new ManualClock();

  private static PoolConfig pool(Duration slowStart, PoolConfig.CircuitBreaker cb, PoolConfig.RetryBudget budget,
      String... backends) {
    TestConfigs.PoolBuilder b = TestConfigs.pool("app");
    for (int i = 0; i < backends.length; i++) {
      b.backend(backends[i], 9000 + i);
    }
    PoolConfig p = b.build();
    return new PoolConfig(p.name(), p.algorithm(), p.hashKey(), p.backends(), p.health(), p.queue(), p.persistence(),
        p.retries(), p.timeouts(), p.connectionPoolSize(), slowStart, cb, budget);
  }

  private static TandemConfig config(PoolConfig pool) {
    TandemConfig base = TestConfigs.config(1, TestConfigs.listener("web"), TestConfigs.pool("app").backend("x", 1));
    return new TandemConfig(null, base.node(), base.listeners(), List.of(pool), base.accessLog());
  }

  @Test
  void breakerOpensAfterConsecutiveFailuresThenLetsOneTrialThrough() {
    PoolGuard g = new PoolGuard(pool(null, new PoolConfig.CircuitBreaker(3, Duration.ofSeconds(5)),
        PoolConfig.RetryBudget.DEFAULTS, "a"));
    for (int i = 0; i < 3; i++) {
      assertTrue(g.admit(clock.nanoTime()));
      g.done(true, false, clock.nanoTime());
    }
    assertTrue(g.open(clock.nanoTime()));
    assertFalse(g.admit(clock.nanoTime()));
    clock.advance(Duration.ofSeconds(5));
    assertTrue(g.admit(clock.nanoTime()), "half-open: one trial");
    assertFalse(g.admit(clock.nanoTime()), "only one");
    g.done(true, false, clock.nanoTime());
    assertFalse(g.admit(clock.nanoTime()), "the trial failed: open again");
    clock.advance(Duration.ofSeconds(5));
    assertTrue(g.admit(clock.nanoTime()));
    g.done(false, false, clock.nanoTime());
    assertFalse(g.open(clock.nanoTime()));
    assertTrue(g.admit(clock.nanoTime()));
    assertTrue(g.admit(clock.nanoTime()));
    assertEquals(3, g.breakerRefusals());
  }

  @Test
  void retriesStayWithinTheBudget() {
    PoolGuard g = new PoolGuard(pool(null, null, new PoolConfig.RetryBudget(20, 2), "a"));
    for (int i = 0; i < 20; i++) {
      g.admit(clock.nanoTime());
    }
    int granted = 0;
    for (int i = 0; i < 20; i++) {
      if (g.tryRetry()) {
        granted++;
      }
    }
    assertEquals(4, granted, "20% of 20 in flight");
    assertEquals(16, g.retriesDenied());
    g.done(true, true, clock.nanoTime());
    g.admit(clock.nanoTime());
    assertTrue(g.tryRetry(), "a retry that ended gives its place back");
    PoolGuard quiet = new PoolGuard(pool(null, null, new PoolConfig.RetryBudget(20, 2), "a"));
    quiet.admit(clock.nanoTime());
    assertTrue(quiet.tryRetry());
    assertTrue(quiet.tryRetry());
    assertFalse(quiet.tryRetry(), "min-retries when little is in flight");
  }

  @Test
  void aBackendThatComesBackGetsALinearlyGrowingShare() {
    PoolGuards guards = new PoolGuards(clock);
    guards.apply(config(pool(Duration.ofSeconds(30), null, PoolConfig.RetryBudget.DEFAULTS, "a", "b")));
    PoolGuard g = guards.get("app");
    assertEquals(1.0, g.share("a", clock.nanoTime()));
    guards.verdict("app", "a", false);
    guards.verdict("app", "a", true);
    assertEquals(0.0, g.share("a", clock.nanoTime()));
    clock.advance(Duration.ofSeconds(15));
    assertEquals(0.5, g.share("a", clock.nanoTime()), 1e-9);
    int kept = 0;
    for (int i = 0; i < 10_000; i++) {
      if (!g.holdsBack("a", clock.nanoTime())) {
        kept++;
      }
    }
    assertEquals(5000, kept, 300);
    assertFalse(g.holdsBack("b", clock.nanoTime()), "b never left");
    clock.advance(Duration.ofSeconds(15));
    assertEquals(1.0, g.share("a", clock.nanoTime()));
  }

  @Test
  void aBackendNewlyInForceStartsSlowlyButNotTheFirstPools() {
    PoolGuards guards = new PoolGuards(clock);
    PoolConfig a = pool(Duration.ofSeconds(10), null, PoolConfig.RetryBudget.DEFAULTS, "a");
    guards.pools(List.of(a));
    guards.apply(config(a));
    assertEquals(1.0, guards.get("app").share("a", clock.nanoTime()));
    // b added (by a reload or through the admin API: the pools in force change either way), then c in a new pool
    guards.pools(List.of(pool(Duration.ofSeconds(10), null, PoolConfig.RetryBudget.DEFAULTS, "a", "b"),
        TestConfigs.pool("api").slowStart(Duration.ofSeconds(10)).backend("c", 9100).build()));
    clock.advance(Duration.ofSeconds(2));
    assertEquals(0.2, guards.get("app").share("b", clock.nanoTime()), 1e-9);
    assertEquals(0.2, guards.get("api").share("c", clock.nanoTime()), 1e-9);
    assertEquals(1.0, guards.get("app").share("a", clock.nanoTime()));
  }

  @Test
  void aBackendRemovedAndAddedAgainStartsSlowlyAgain() {
    PoolGuards guards = new PoolGuards(clock);
    guards.pools(List.of(pool(Duration.ofSeconds(10), null, PoolConfig.RetryBudget.DEFAULTS, "a", "b")));
    guards.pools(List.of(pool(Duration.ofSeconds(10), null, PoolConfig.RetryBudget.DEFAULTS, "a")));
    assertEquals(1.0, guards.get("app").share("b", clock.nanoTime()));
    guards.pools(List.of(pool(Duration.ofSeconds(10), null, PoolConfig.RetryBudget.DEFAULTS, "a", "b")));
    assertEquals(0.0, guards.get("app").share("b", clock.nanoTime()));
  }
}
