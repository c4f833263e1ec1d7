package io.tandem.cluster;

import io.tandem.affinity.AffinityTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.tandem.cluster.HealthBoard.CheckResult;
import io.tandem.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The admin facts of a single node, kept in memory. */
class LocalSharedStateTest {
  private static final long EPOCH_MILLIS = 1_700_000_000_000L;
  private final ManualClock clock = new ManualClock();
  /** The wall clock the admin facts are stamped with, moved with the manual clock. */
  private final LocalSharedState state = new LocalSharedState("solo", clock, () -> EPOCH_MILLIS + clock.millis());

  @Test
  void healthDetailKeepsSinceTheLastCheckAndSuspectsUntilTheVerdictChanges() {
    HealthBoard board = state.health();
    clock.advance(Duration.ofSeconds(3));
    long before = EPOCH_MILLIS + 3_000;
    board.publish("web", "b1", HealthState.UNHEALTHY);
    board.publishCheck("web", "b1", new CheckResult(null, false, "status 500", 300, before));
    board.reportSuspect("web", "b1");
    HealthBoard.HealthDetail d = board.detail("web", "b1");
    assertEquals(HealthState.UNHEALTHY, d.verdict());
    assertEquals("solo", d.publishedBy());
    assertEquals(before, d.sinceMillis(), "since is when the verdict was published");
    assertEquals(List.of(new CheckResult("solo", false, "status 500", 300, before)), d.checks());
    assertEquals(List.of("solo"), d.suspects());

    clock.advance(Duration.ofSeconds(2));
    board.publish("web", "b1", HealthState.UNHEALTHY);
    assertEquals(d, board.detail("web", "b1"), "the same verdict again changes nothing, since included");
    board.publish("web", "b1", HealthState.HEALTHY);
    assertEquals(before + 2_000, board.detail("web", "b1").sinceMillis(), "a new verdict moves since");
    assertEquals(List.of(), board.detail("web", "b1").suspects());
    assertEquals(d.checks(), board.detail("web", "b1").checks());
    board.withdrawCheck("web", "b1");
    assertEquals(List.of(), board.detail("web", "b1").checks());
  }

  @Test
  void bindingTimesFollowTheClock() {
    LocalSharedState.LocalAffinityTable table = state.affinity();
    table.bindIfAbsent("web", "10.0.0.1", "b2", Duration.ofMinutes(5));
    clock.advance(Duration.ofSeconds(30));
    table.lookup("web", "10.0.0.1");
    clock.advance(Duration.ofSeconds(10));
    AffinityTable.Binding b = table.binding("web", "10.0.0.1").toCompletableFuture().join().orElseThrow();
    assertEquals("b2", b.backendId());
    assertEquals(EPOCH_MILLIS, b.sinceMillis(), "bound at the start");
    assertEquals(EPOCH_MILLIS + 30_000, b.lastUsedMillis(), "last used by the lookup 30 s later");
    clock.advance(Duration.ofMinutes(6));
    assertEquals(Optional.empty(), table.binding("web", "10.0.0.1").toCompletableFuture().join());
  }

  @Test
  void infoNamesThisNodeAndTheAdminAddressOnceAnnounced() {
    Membership.MemberInfo before = state.membership().info().get("solo");
    assertEquals("dev", before.version());
    assertEquals(EPOCH_MILLIS, before.startedAtMillis(), "started when the state was made");
    assertEquals(null, before.adminAddress());
    state.announceAdmin("127.0.0.1:9090");
    assertEquals(Map.of("solo", new Membership.MemberInfo("dev", before.startedAtMillis(), "127.0.0.1:9090")),
        state.membership().info());
  }

  @Test
  void aSecondAddOfOneBackendIsAConflict() {
    BackendChange add = BackendChange.add("web", "b9", new BackendChange.Added("127.0.0.1", 9009, 1, 0));
    assertEquals(1, state.runtime().apply(add).toCompletableFuture().join());
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> state.runtime().apply(add).toCompletableFuture().join());
    assertInstanceOf(BackendConflictException.class, e.getCause());
    assertEquals("pool web already has a backend with id \"b9\"", e.getCause().getMessage());
    assertEquals(2, state.runtime().apply(BackendChange.remove("web", "b9")).toCompletableFuture().join());
    assertEquals(3, state.runtime().apply(add).toCompletableFuture().join(), "re-adding after a remove is fine");
    assertEquals(3, state.runtime().version());
  }
}
