package io.tandem.config;

import java.time.Duration;
import java.util.List;

/**
 * Floating virtual IPs (YAML section {@code vips}): which addresses this cluster moves between its nodes, and how
 * fast it notices that a holder is gone. Ownership is computed by {@code io.tandem.vip.Ownership} from these groups and
 * the live nodes; {@link #NONE} (no section) means the node manages no address.
 *
 * @param groups            the VIP groups, in file order
 * @param heartbeatInterval how often each node sends its VIP liveness beat (UDP, to the other nodes' cluster addresses)
 * @param deadAfter         missed beats after which a silent node no longer counts as live for VIP ownership
 * @param witness           two-node rule: an address that must answer ARP for a lone half of the cluster to hold
 *                          VIPs, or null (then a side needs {@code cluster.min-members})
 */
public record VipConfig(List<Group> groups, Duration heartbeatInterval, int deadAfter, Witness witness) {
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofMillis(50);
  public static final int DEFAULT_DEAD_AFTER = 4;
  public static final int DEFAULT_GARP_COUNT = 3;
  public static final Duration DEFAULT_GARP_INTERVAL = Duration.ofMillis(100);
  public static final VipConfig NONE = new VipConfig(List.of(), DEFAULT_HEARTBEAT, DEFAULT_DEAD_AFTER, null);

  public VipConfig {
    groups = List.copyOf(groups);
  }

  /** How a group's addresses are spread over the nodes. */
  public enum Mode {
    /** All addresses of the group on one node, the others stand by. */
    ACTIVE_PASSIVE,
    /** One address per node, each with its own preferred holder; a survivor takes over a dead node's address. */
    ACTIVE_ACTIVE
  }

  /**
   * A set of addresses managed together.
   *
   * @param name    unique group name (logs, admin API)
   * @param mode    active-passive or active-active
   * @param preempt whether a better-placed node that comes back takes its address back (on) or the live holder keeps
   *                it (off)
   * @param vips    the addresses
   */
  public record Group(String name, Mode mode, boolean preempt, List<Vip> vips) {
    public Group {
      vips = List.copyOf(vips);
    }
  }

  /**
   * One virtual IPv4 address.
   *
   * @param address      the address, e.g. {@code 10.0.0.100}
   * @param prefix       its prefix length on the interface, e.g. {@code 24}
   * @param iface        the interface it is added to, e.g. {@code eth0}
   * @param priority     node ids that may hold it, most preferred first
   * @param garpCount    gratuitous ARP announcements sent when it is acquired (at least 1)
   * @param garpInterval time between those announcements
   */
  public record Vip(String address, int prefix, String iface, List<String> priority, int garpCount,
      Duration garpInterval) {
    public Vip {
      priority = List.copyOf(priority);
    }

    /** {@code address/prefix}, as {@code ip addr} writes it. */
    public String cidr() {
      return address + "/" + prefix;
    }
  }

  /**
   * The two-node rule: a node that sees exactly half of the cluster (itself alone of two) counts as having quorum
   * only while this address answers ARP on {@code iface}.
   */
  public record Witness(String address, String iface) {}

  public boolean isEmpty() {
    return groups.isEmpty();
  }

  /** Every address of every group, in file order. */
  public List<Vip> all() {
    return groups.stream().flatMap(g -> g.vips().stream()).toList();
  }
}
