package io.tandem.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The peer table alone, with time in plain nanoseconds: who is live, who is settled, what the live ones claim. */
class PeersTest {
  private static final long DEAD_AFTER = 100;
  private final Peers peers = new Peers(DEAD_AFTER);

  private static Heartbeat beat(String node, long seq, Set<String> claims) {
    return new Heartbeat("c", node, 1, seq, false, claims, Set.of());
  }

  @Test
  void aPeerIsLiveUntilTheDeadAfterPeriodPassesWithoutABeat() {
    peers.update(beat("n2", 1, Set.of()), 0);

    assertEquals(Set.of("n1", "n2"), peers.live("n1", DEAD_AFTER));
    assertEquals(Set.of("n1"), peers.live("n1", DEAD_AFTER + 1));
  }

  @Test
  void onlyANewOrChangedBeatMayChangeTheDecisionAndAnOlderOneIsIgnored() {
    assertTrue(peers.update(beat("n2", 1, Set.of()), 0), "a new peer");
    assertFalse(peers.update(beat("n2", 2, Set.of()), 10), "a plain repeat");
    assertTrue(peers.update(beat("n2", 3, Set.of("10.0.0.100")), 20), "a new claim");
    assertFalse(peers.update(beat("n2", 2, Set.of()), 30), "a late packet");
    assertEquals(Map.of("n2", Set.of("10.0.0.100")), peers.claims(Set.of("n1", "n2")));
    assertTrue(peers.update(beat("n2", 4, Set.of("10.0.0.100")), 500), "back after a gap");
    assertTrue(peers.update(new Heartbeat("c", "n2", 1, 5, true, Set.of(), Set.of()), 510), "leaving");
    assertTrue(peers.leaving("n2"));
    assertEquals(Set.of("n1"), peers.live("n1", 510));
  }

  @Test
  void aPeerIsSettledAfterBeingLiveWithoutAGapAndAGapStartsItOver() {
    peers.update(beat("n2", 1, Set.of()), 0);
    peers.update(beat("n2", 2, Set.of()), 90);

    assertEquals(Set.of("n2"), peers.settled(peers.live("n1", 150), 150, 150));
    peers.update(beat("n2", 3, Set.of()), 300);
    assertEquals(Set.of(), peers.settled(peers.live("n1", 300), 300, 150));
  }

  @Test
  void aStallOfThisProcessIsGivenBackToEveryPeer() {
    peers.update(beat("n2", 1, Set.of()), 0);
    peers.forgive(1_000);

    assertEquals(Set.of("n1", "n2"), peers.live("n1", 1_000 + DEAD_AFTER));
  }

  @Test
  void theClaimantOfAnAddressIsTheFirstLivePeerByIdThatClaimsIt() {
    peers.update(beat("n3", 1, Set.of("10.0.0.100")), 0);
    peers.update(beat("n2", 1, Set.of("10.0.0.100")), 0);

    assertEquals("n2", peers.claimant("10.0.0.100", Set.of("n1", "n2", "n3")));
    assertEquals("n3", peers.claimant("10.0.0.100", Set.of("n1", "n3")));
    assertNull(peers.claimant("10.0.0.200", Set.of("n1", "n2", "n3")));
    assertFalse(peers.claimed("10.0.0.100", Set.of("n1")));
  }
}
