package io.tandem.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.config.VipConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ownership rule alone: same inputs, same answer, on every node. */
class OwnershipTest {
  private static final List<String> ORDER = List.of("n1", "n2", "n3");
  private static final Set<String> ALL = Set.of("n1", "n2", "n3");

  private static VipConfig group(VipConfig.Mode mode, boolean preempt, String... addresses) {
    List<VipConfig.Vip> vips = new java.util.ArrayList<>();
    for (int i = 0; i < addresses.length; i++) {
      List<String> order = mode == VipConfig.Mode.ACTIVE_PASSIVE ? ORDER
          : List.of(ORDER.get(i % 3), ORDER.get((i + 1) % 3), ORDER.get((i + 2) % 3));
      vips.add(new VipConfig.Vip(addresses[i], 24, "eth0", order, 3, Duration.ofMillis(100)));
    }
    return new VipConfig(List.of(new VipConfig.Group("g", mode, preempt, vips)), Duration.ofMillis(50), 4, null);
  }

  @Test
  void activePassiveMovesTheWholeGroupToTheFirstLiveNode() {
    VipConfig config = group(VipConfig.Mode.ACTIVE_PASSIVE, true, "10.0.0.100", "10.0.0.200");

    assertEquals(Map.of("10.0.0.100", "n1", "10.0.0.200", "n1"), Ownership.assign(config, ALL, ALL, Map.of(), Map.of()));
    assertEquals(Map.of("10.0.0.100", "n2", "10.0.0.200", "n2"),
        Ownership.assign(config, Set.of("n2", "n3"), Set.of("n2", "n3"), Map.of(), Map.of()));
    assertEquals(Map.of(), Ownership.assign(config, Set.of(), Set.of(), Map.of(), Map.of()));
  }

  @Test
  void preemptTakesItBackOnlyForASettledNodeAndWithoutPreemptTheClaimantKeepsIt() {
    Map<String, Set<String>> n2Holds = Map.of("n2", Set.of("10.0.0.100"));
    VipConfig preempt = group(VipConfig.Mode.ACTIVE_PASSIVE, true, "10.0.0.100");
    VipConfig keep = group(VipConfig.Mode.ACTIVE_PASSIVE, false, "10.0.0.100");

    assertEquals(Map.of("10.0.0.100", "n1"), Ownership.assign(preempt, ALL, ALL, n2Holds, Map.of()));
    assertEquals(Map.of("10.0.0.100", "n2"), Ownership.assign(preempt, ALL, Set.of("n2", "n3"), n2Holds, Map.of()));
    assertEquals(Map.of("10.0.0.100", "n2"), Ownership.assign(keep, ALL, ALL, n2Holds, Map.of()));
  }

  @Test
  void afterASplitHealsWithoutPreemptTheBestPlacedClaimantWins() {
    VipConfig keep = group(VipConfig.Mode.ACTIVE_PASSIVE, false, "10.0.0.100");
    Map<String, Set<String>> both = Map.of("n3", Set.of("10.0.0.100"), "n2", Set.of("10.0.0.100"));

    assertEquals(Map.of("10.0.0.100", "n2"), Ownership.assign(keep, ALL, ALL, both, Map.of()));
  }

  @Test
  void activeActiveGivesEachAddressItsPreferredNodeAndSkipsNodesUnableToHoldIt() {
    VipConfig config = group(VipConfig.Mode.ACTIVE_ACTIVE, true, "10.0.0.1", "10.0.0.2", "10.0.0.3");

    assertEquals(Map.of("10.0.0.1", "n1", "10.0.0.2", "n2", "10.0.0.3", "n3"),
        Ownership.assign(config, ALL, ALL, Map.of(), Map.of()));
    assertEquals(Map.of("10.0.0.1", "n1", "10.0.0.2", "n3", "10.0.0.3", "n3"),
        Ownership.assign(config, Set.of("n1", "n3"), Set.of("n1", "n3"), Map.of(), Map.of()));
    assertEquals(Map.of("10.0.0.1", "n2", "10.0.0.2", "n2", "10.0.0.3", "n3"),
        Ownership.assign(config, ALL, ALL, Map.of(), Map.of("n1", Set.of("10.0.0.1"))));
  }
}
