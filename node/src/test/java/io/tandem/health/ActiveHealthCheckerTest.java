package io.tandem.health;

import io.tandem.cluster.HealthState;
import static io.tandem.cluster.HealthState.HEALTHY;
import static io.tandem.cluster.HealthState.PENDING;
import static io.tandem.cluster.HealthState.UNHEALTHY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.HealthBoard;
import io.tandem.cluster.LocalSharedState;
import io.tandem.config.Algorithm;
import io.tandem.config.BackendConfig;
import io.tandem.config.HealthConfig;
import io.tandem.config.HealthConfig.CheckType;
import io.tandem.config.PoolConfig;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ActiveHealthCheckerTest {
  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final HealthConfig.Active CHECK = check("/health");

  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final HealthBoard board = new LocalSharedState("n1", clock).health();
  private final FakeProbe probe = new FakeProbe();
  private final List<String> published = new ArrayList<>();

  /** A probe whose answers the test sets: up (status 200) by default. */
  private static final class FakeProbe implements Probe {
    final Map<Integer, Boolean> up = new ConcurrentHashMap<>();
    final Map<String, Integer> calls = new ConcurrentHashMap<>();
    RuntimeException thrown;

    @Override
    public Future<ProbeResult> probe(ProbeTarget target) {
      calls.merge(target.id(), 1, Integer::sum);
      if (thrown != null) {
        throw thrown;
      }
      boolean ok = up.getOrDefault(target.port(), true);
      return Future.succeededFuture(new ProbeResult(ok, ok ? "status 200" : "status 503", Duration.ofMillis(3)));
    }

    int calls(String id) {
      return calls.getOrDefault(id, 0);
    }
  }

  /** A board on which this node checks nothing (another node owns every backend), until told otherwise. */
  private static final class OtherNodeChecksBoard implements HealthBoard {
    volatile boolean checker;
    final List<String> published = new ArrayList<>();

    @Override
    public boolean isChecker(String pool, String backendId) {
      return checker;
    }

    @Override
    public void publish(String pool, String backendId, HealthState state) {
      published.add(backendId + "=" + state);
    }

    @Override
    public HealthState verdict(String pool, String backendId) {
      return HEALTHY;
    }

    @Override
    public void addListener(VerdictListener listener) {}
  }

  private static HealthConfig.Active check(String path) {
    return new HealthConfig.Active(CheckType.HTTP, "GET", path, null, 200, 399, null, INTERVAL,
        Duration.ofMillis(500), 2, 3);
  }

  private static PoolConfig pool(String name, HealthConfig.Active active, BackendConfig... backends) {
    return new PoolConfig(name, Algorithm.ROUND_ROBIN, null, List.of(backends), new HealthConfig(active, null),
        PoolConfig.Queue.DEFAULTS, null, PoolConfig.Retries.DEFAULTS, PoolConfig.Timeouts.DEFAULTS, 8);
  }

  private static BackendConfig backend(String id, int port) {
    return new BackendConfig(id, "127.0.0.1", port, 1, 0);
  }

  private ActiveHealthChecker checker(HealthBoard b) {
    b.addListener((pool, id, verdict) -> published.add(pool + "/" + id + "=" + verdict));
    return new ActiveHealthChecker(cfg -> probe, b, scheduler, clock);
  }

  /** Runs the first probe of every backend (each lies within the stagger window). */
  private void firstProbes() {
    scheduler.advance(ActiveHealthChecker.MAX_STAGGER);
  }

  private void intervals(int n) {
    for (int i = 0; i < n; i++) {
      scheduler.advance(INTERVAL);
    }
  }

  @Test
  void publishesUnhealthyExactlyAfterFallFailuresAndHealthyAfterRiseSuccesses() {
    ActiveHealthChecker checker = checker(board);
    checker.apply(List.of(pool("web", CHECK, backend("a", 1))));

    firstProbes();
    assertEquals(1, probe.calls("a"));
    assertEquals(PENDING, board.verdict("web", "a"));
    intervals(1);
    assertEquals(HEALTHY, board.verdict("web", "a"));

    probe.up.put(1, false);
    intervals(2);
    assertEquals(HEALTHY, board.verdict("web", "a"));
    assertEquals("status 503", checker.lastResult("web", "a").result().detail());
    intervals(1);
    assertEquals(UNHEALTHY, board.verdict("web", "a"));
    assertEquals(5, probe.calls("a"));

    probe.up.put(1, true);
    intervals(1);
    assertEquals(UNHEALTHY, board.verdict("web", "a"));
    intervals(1);
    assertEquals(HEALTHY, board.verdict("web", "a"));

    assertEquals(List.of("web/a=HEALTHY", "web/a=UNHEALTHY", "web/a=HEALTHY"), published);
    ActiveHealthChecker.LastCheck last = checker.lastResult("web", "a");
    assertEquals(new ProbeResult(true, "status 200", Duration.ofMillis(3)), last.result());
    assertEquals(HEALTHY, last.state());
    Duration lastProbe = ActiveHealthChecker.firstDelay("web", "a", INTERVAL).plus(INTERVAL.multipliedBy(6));
    assertEquals(lastProbe.toNanos(), last.atNanos());
  }

  @Test
  void aSuspectReportProbesAtOnceButNeverTwiceInParallel() {
    ActiveHealthChecker checker = checker(board);
    checker.apply(List.of(pool("web", CHECK, backend("a", 1))));
    firstProbes();
    intervals(1);
    int before = probe.calls("a");
    checker.probeNow("web", "a");
    scheduler.runDue();
    assertEquals(before + 1, probe.calls("a"), "probed without waiting for the interval");
    intervals(1);
    assertEquals(before + 2, probe.calls("a"), "the regular rhythm continues, one probe per interval");
    checker.probeNow("web", "nope");
  }

  @Test
  void aFailingStreakBrokenBySuccessDoesNotPublish() {
    ActiveHealthChecker checker = checker(board);
    checker.apply(List.of(pool("web", CHECK, backend("a", 1))));
    firstProbes();
    intervals(1);
    for (int i = 0; i < 3; i++) {
      probe.up.put(1, false);
      intervals(2);
      probe.up.put(1, true);
      intervals(1);
    }
    assertEquals(List.of("web/a=HEALTHY"), published);
  }

  @Test
  void aProbeThatThrowsCountsAsAFailure() {
    ActiveHealthChecker checker = checker(board);
    probe.thrown = new IllegalStateException("bug in probe");
    checker.apply(List.of(pool("web", CHECK, backend("a", 1))));
    firstProbes();
    intervals(2);
    assertEquals(UNHEALTHY, board.verdict("web", "a"));
    assertEquals("error: bug in probe", checker.lastResult("web", "a").result().detail());
  }

  @Test
  void nonCheckerStaysIdleAndPublishesNothingButTakesOverWhenAsked() {
    OtherNodeChecksBoard other = new OtherNodeChecksBoard();
    ActiveHealthChecker checker = checker(other);
    checker.apply(List.of(pool("web", CHECK, backend("a", 1))));
    probe.up.put(1, false);

    firstProbes();
    intervals(5);
    assertEquals(0, probe.calls("a"));
    assertEquals(List.of(), other.published);
    assertNull(checker.lastResult("web", "a"));
    assertEquals(1, scheduler.pending()); // the loop is still there, idle

    other.checker = true; // e.g. the previous checker left the cluster; its verdict was HEALTHY
    intervals(3);
    assertEquals(3, probe.calls("a"));
    assertEquals(List.of("a=UNHEALTHY"), other.published);
  }

  @Test
  void poolsWithoutActiveChecksGetNoLoops() {
    ActiveHealthChecker checker = checker(board);
    checker.apply(List.of(pool("quiet", null, backend("a", 1))));
    firstProbes();
    intervals(3);
    assertEquals(0, scheduler.pending());
    assertEquals(0, probe.calls("a"));
    assertEquals(List.of(), published);
  }

  @Test
  void reloadKeepsUnchangedBackendsStopsRemovedOnesAndStartsNewOnes() {
    ActiveHealthChecker checker = checker(board);
    checker.apply(List.of(pool("web", CHECK, backend("a", 1), backend("b", 2), backend("moved", 3))));
    firstProbes(); // one success each: still PENDING with rise 2
    assertEquals(1, probe.calls("b"));

    BackendConfig heavierA = new BackendConfig("a", "127.0.0.1", 1, 50, 0); // weight is not a check setting
    checker.apply(List.of(pool("web", CHECK, heavierA, backend("c", 4), backend("moved", 30))));

    assertNotNull(checker.lastResult("web", "a"));
    assertNull(checker.lastResult("web", "b"));
    assertNull(checker.lastResult("web", "moved"));
    intervals(1);
    assertEquals(HEALTHY, board.verdict("web", "a")); // its first success was kept: rise 2 reached
    assertEquals(PENDING, board.verdict("web", "moved")); // restarted: one success only
    assertEquals(PENDING, board.verdict("web", "c"));
    assertEquals(1, probe.calls("b"));
    assertEquals(1, probe.calls("c"));
    assertEquals(2, probe.calls("moved"));
    assertEquals(3, scheduler.pending());
  }

  @Test
  void changedCheckSettingsRestartTheLoop() {
    ActiveHealthChecker checker = checker(board);
    checker.apply(List.of(pool("web", CHECK, backend("a", 1))));
    firstProbes();
    checker.apply(List.of(pool("web", check("/other"), backend("a", 1))));
    assertNull(checker.lastResult("web", "a"));
    assertEquals(1, scheduler.pending());
  }

  @Test
  void closeStopsEverything() {
    ActiveHealthChecker checker = checker(board);
    checker.apply(List.of(pool("web", CHECK, backend("a", 1), backend("b", 2))));
    firstProbes();
    checker.close();
    intervals(3);
    assertEquals(0, scheduler.pending());
    assertEquals(1, probe.calls("a"));
    // A pools change that arrives during a stop starts nothing (and is no error).
    checker.apply(List.of(pool("web", CHECK, backend("a", 1), backend("c", 3))));
    intervals(3);
    assertEquals(0, scheduler.pending());
    assertEquals(0, probe.calls("c"));
  }

  @Test
  void firstProbeIsStaggeredDeterministicallyWithinTheWindow() {
    List<Duration> delays = new ArrayList<>();
    for (String id : List.of("a", "b", "c", "d", "e")) {
      Duration d = ActiveHealthChecker.firstDelay("web", id, INTERVAL);
      assertEquals(d, ActiveHealthChecker.firstDelay("web", id, INTERVAL));
      assertTrue(d.compareTo(ActiveHealthChecker.MAX_STAGGER) < 0, d::toString);
      delays.add(d);
    }
    assertNotEquals(1, delays.stream().distinct().count());
    assertTrue(ActiveHealthChecker.firstDelay("web", "a", Duration.ofMillis(20)).toMillis() < 20);
    assertEquals(Duration.ZERO, ActiveHealthChecker.firstDelay("web", "a", Duration.ZERO));
  }
}
