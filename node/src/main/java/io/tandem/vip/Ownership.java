package io.tandem.vip;

import io.tandem.config.VipConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who should hold each VIP, computed from the configuration and one view of the cluster only, so that every node
 * with the same view reaches the same answer and no coordination is needed.
 *
 * <p>The rule, per unit (an active-passive group moves as one unit; each address of an active-active group is its
 * own unit): among the live nodes of the unit's priority list that are able to hold all its addresses,
 * <ul>
 *   <li>with preempt off, a node that already claims the unit keeps it (the best-placed claimant if several do,
 *       e.g. right after a split heals);</li>
 *   <li>with preempt on, a claimant keeps it only against nodes that are not yet <em>settled</em> (live for a while):
 *       a node that just came back, or whose beats just resumed, does not take an address from a live holder, so a
 *       flapping node cannot make the address flap;</li>
 *   <li>otherwise the first in priority order holds it.</li>
 * </ul>
 * No live eligible node: nobody holds it. Example: priority {@code [n1, n2, n3]}, live {@code {n2, n3}}, preempt on:
 * n2; then n1 comes back: n1 (preempt) or still n2 (preempt off, since n2 claims it).
 *
 * <p>Quorum is not this function's business: a node without quorum holds nothing, whatever this says.
 */
public final class Ownership {
  private Ownership() {}

  /**
   * The desired holder of every address that has one.
   *
   * @param live    node ids counted as live (this node included)
   * @param settled the live nodes that have been live long enough to preempt a live holder
   * @param claims by node id, the addresses each live node claims
   * @param unable by node id, the addresses each live node cannot hold
   * @return node id by address ({@link VipConfig.Vip#address()}); addresses without an eligible node are absent
   */
  public static Map<String, String> assign(VipConfig config, Set<String> live, Set<String> settled,
      Map<String, Set<String>> claims, Map<String, Set<String>> unable) {
    Map<String, String> holders = new HashMap<>();
    for (VipConfig.Group group : config.groups()) {
      if (group.mode() == VipConfig.Mode.ACTIVE_PASSIVE) {
        place(group.vips(), group.preempt(), live, settled, claims, unable, holders);
      } else {
        for (VipConfig.Vip vip : group.vips()) {
          place(List.of(vip), group.preempt(), live, settled, claims, unable, holders);
        }
      }
    }
    return holders;
  }

  private static void place(List<VipConfig.Vip> unit, boolean preempt, Set<String> live, Set<String> settled,
      Map<String, Set<String>> claims, Map<String, Set<String>> unable, Map<String, String> holders) {
    String chosen = null;
    String claimant = null;
    String preferred = null;
    for (String node : unit.get(0).priority()) {
      if (!live.contains(node) || !able(node, unit, unable)) {
        continue;
      }
      if (chosen == null) {
        chosen = node;
      }
      if (claimant == null && claims(node, unit, claims)) {
        claimant = node;
      }
      if (preferred == null && (settled.contains(node) || claims(node, unit, claims))) {
        preferred = node;
      }
    }
    String holder = claimant == null ? chosen : preempt ? preferred : claimant;
    if (holder != null) {
      unit.forEach(vip -> holders.put(vip.address(), holder));
    }
  }

  private static boolean able(String node, List<VipConfig.Vip> unit, Map<String, Set<String>> unable) {
    Set<String> cannot = unable.getOrDefault(node, Set.of());
    return unit.stream().noneMatch(vip -> cannot.contains(vip.address()));
  }

  private static boolean claims(String node, List<VipConfig.Vip> unit, Map<String, Set<String>> claims) {
    Set<String> claimed = claims.getOrDefault(node, Set.of());
    return unit.stream().anyMatch(vip -> claimed.contains(vip.address()));
  }
}
