package io.tandem.cluster;

import java.util.List;
import java.util.function.Consumer;

/**
 * Which nodes form the cluster now. The coordinator is the oldest member (Hazelcast orders members oldest first);
 * owner-only actions must also check {@link #hasQuorum()}.
 */
public interface Membership {

  /** A live member. */
  record Member(String nodeId, String address, boolean local, long joinedAtMillis) {}

  /** Live members, oldest first; a single node sees only itself. */
  List<Member> members();

  /** Node id of the oldest live member. */
  String coordinator();

  /** Whether this side of a possible split holds at least the configured minimum of members. */
  boolean hasQuorum();

  /** Called on a control-plane thread with the new member list after a join or a leave. */
  void addListener(Consumer<List<Member>> listener);

  /**
   * Facts each member announced when it joined (member attributes): its Tandem version, its start time and its admin
   * address ({@code host:port}, null without one), by node id. Live members only.
   */
  default java.util.Map<String, MemberInfo> info() {
    return java.util.Map.of();
  }

  /** What a member announced about itself when it joined. */
  record MemberInfo(String version, long startedAtMillis, String adminAddress) {}

  /** This node's Tandem version: the jar manifest's {@code Implementation-Version}, "dev" when run from classes. */
  static String localVersion() {
    String version = Membership.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
