package io.tandem.cluster.hazelcast;

import io.tandem.cluster.Membership;
import io.tandem.cluster.hazelcast.HazelcastCluster;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.splitbrainprotection.SplitBrainProtection;
import io.tandem.config.ClusterConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link Membership} from the Hazelcast member list (oldest first), restricted to <em>trusted</em> members: a member
 * is trusted when its {@code tandem.node} attribute names a configured node and it connects from that node's configured
 * cluster address (so no two trusted members can share an id: they cannot share an address). Any other member (a stray process with the same
 * cluster name, a node started with the wrong {@code --node}) raises an alarm (logged at WARN, listed by
 * {@link #alarms()}) and is left out of every decision: members, coordinator, quorum, checker ownership, counts.
 *
 * <p>With {@code cluster.discovery: dns} there is no list to check against: a member is trusted when it carries a
 * {@code tandem.node} attribute (Hazelcast already admits only the same cluster name) whose id no older live member
 * uses. Of two members with one id the younger is distrusted, and {@link HazelcastCluster#start} refuses to start a
 * member whose id an older one already has.
 *
 * <p>Limit: Hazelcast community edition has no member authentication, so such a member cannot be refused; it still
 * joins Hazelcast's cluster, holds partitions and can write to shared maps. Keep cluster ports on a private network.
 * Listeners run on the control executor; the lists they get and {@link #members()} are immutable snapshots.
 */
final class HazelcastMembership implements Membership {
  private static final Logger LOG = LogManager.getLogger(HazelcastMembership.class);

  private final HazelcastInstance hz;
  private final int minMembers;
  private final boolean discovered;
  private final Map<String, String> configuredIdByAddress = new HashMap<>();
  private final SplitBrainProtection quorum;
  private final List<Consumer<List<Member>>> listeners = new CopyOnWriteArrayList<>();
  private final List<String> alarms = new CopyOnWriteArrayList<>();
  private final Set<UUID> alarmed = new HashSet<>();
  private volatile View view = new View(List.of(), List.of(), Map.of());

  /** One consistent view: trusted members, their ids, and their Hazelcast members by node id. */
  private record View(List<Member> members, List<String> nodeIds, Map<String, com.hazelcast.cluster.Member> byNode) {}

  HazelcastMembership(HazelcastInstance hz, ClusterConfig config, Executor control) {
    this.hz = hz;
    this.minMembers = config.minMembers();
    this.discovered = config.discoversMembers();
    for (ClusterConfig.NodeEntry node : config.nodes()) {
      configuredIdByAddress.put(node.clusterAddress(), node.id());
      configuredIdByAddress.put(HzMemberConfig.ip(node.clusterHost()) + ":" + node.clusterPort(), node.id());
    }
    this.quorum = config.minMembers() >= 2
        ? hz.getSplitBrainProtectionService().getSplitBrainProtection(HzMemberConfig.QUORUM) : null;
    hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        control.execute(HazelcastMembership.this::refresh);
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        // Whether it died or a network split separates us cannot be told apart from here; both are logged.
        LOG.warn("cluster member {} at {} left or became unreachable (crash, stop, or a network split)",
            event.getMember().getAttribute(HzMemberConfig.NODE_ATTRIBUTE), event.getMember().getAddress());
        control.execute(HazelcastMembership.this::refresh);
      }
    });
    refresh();
  }

  @Override
  public List<Member> members() {
    return view.members;
  }

  /**
   * From the member attributes set at start ({@link HzMemberConfig}), oldest member first; a member without a version
   * says "dev".
   */
  @Override
  public Map<String, MemberInfo> info() {
    View v = view;
    Map<String, MemberInfo> result = new java.util.LinkedHashMap<>();
    for (String id : v.nodeIds) {
      com.hazelcast.cluster.Member m = v.byNode.get(id);
      String version = m.getAttribute(HzMemberConfig.VERSION_ATTRIBUTE);
      result.put(id, new MemberInfo(version == null ? "dev" : version, started(m),
          m.getAttribute(HzMemberConfig.ADMIN_ATTRIBUTE)));
    }
    return result;
  }

  /** Node ids of the trusted live members, oldest first. */
  List<String> liveNodeIds() {
    return view.nodeIds;
  }

  /** The trusted Hazelcast member with this node id, or null. */
  com.hazelcast.cluster.Member member(String nodeId) {
    return view.byNode.get(nodeId);
  }

  /** Whether a Hazelcast member (e.g. the publisher of a message) is a trusted live member. */
  boolean isTrusted(com.hazelcast.cluster.Member m) {
    if (m == null) {
      return false;
    }
    String id = m.getAttribute(HzMemberConfig.NODE_ATTRIBUTE);
    com.hazelcast.cluster.Member known = id == null ? null : view.byNode.get(id);
    return known != null && known.getUuid().equals(m.getUuid());
  }

  @Override
  public String coordinator() {
    List<String> ids = view.nodeIds;
    return ids.isEmpty() ? null : ids.get(0);
  }

  @Override
  public boolean hasQuorum() {
    return view.members.size() >= minMembers && (quorum == null || quorum.hasMinimumSize());
  }

  @Override
  public void addListener(Consumer<List<Member>> listener) {
    listeners.add(listener);
  }

  /** Alarms raised about untrusted members since start, oldest first. */
  List<String> alarms() {
    return List.copyOf(alarms);
  }

  private synchronized void refresh() {
    Set<com.hazelcast.cluster.Member> current;
    try {
      current = hz.getCluster().getMembers();
    } catch (HazelcastInstanceNotActiveException stopping) {
      return;
    }
    List<Member> members = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    Map<String, com.hazelcast.cluster.Member> byNode = new HashMap<>();
    for (com.hazelcast.cluster.Member m : current) {
      String address = m.getAddress().getHost() + ":" + m.getAddress().getPort();
      String id = m.getAttribute(HzMemberConfig.NODE_ATTRIBUTE);
      String problem = discovered ? distrustDiscovered(id, byNode) : distrust(address, id);
      if (problem != null) {
        if (alarmed.add(m.getUuid())) {
          String alarm = "member " + address + " " + problem
              + "; it is ignored by every decision (Hazelcast cannot refuse it)";
          alarms.add(alarm);
          LOG.warn(alarm);
        }
        continue;
      }
      members.add(new Member(id, address, m.localMember(), started(m)));
      ids.add(id);
      byNode.put(id, m);
    }
    if (members.equals(view.members)) {
      return;
    }
    view = new View(List.copyOf(members), List.copyOf(ids), Map.copyOf(byNode));
    List<Member> snapshot = view.members;
    LOG.info("cluster members now {}, coordinator {}", ids, coordinator());
    for (Consumer<List<Member>> l : listeners) {
      l.accept(snapshot);
    }
  }

  /** Why a member found in DNS is not trusted ({@code older}: the trusted members older than it), or null. */
  private static String distrustDiscovered(String id, Map<String, com.hazelcast.cluster.Member> older) {
    if (id == null) {
      return "carries no tandem.node attribute (not a Tandem node, or one of another version)";
    }
    com.hazelcast.cluster.Member first = older.get(id);
    if (first != null) {
      return "claims node id " + id + " that the older member " + first.getAddress().getHost() + ":"
          + first.getAddress().getPort() + " already uses (--node must be unique)";
    }
    return null;
  }

  /** Why a member is not trusted, or null when it is. */
  private String distrust(String address, String id) {
    String configured = configuredIdByAddress.get(address);
    if (configured == null) {
      return "(node id " + id + ") joined from an address that is not in the configured nodes list";
    }
    if (!configured.equals(id)) {
      return "claims node id " + id + " but its address is configured for node " + configured;
    }
    return null;
  }

  private static long started(com.hazelcast.cluster.Member m) {
    try {
      return Long.parseLong(m.getAttribute(HzMemberConfig.STARTED_ATTRIBUTE));
    } catch (NumberFormatException | NullPointerException e) {
      return 0;
    }
  }
}
