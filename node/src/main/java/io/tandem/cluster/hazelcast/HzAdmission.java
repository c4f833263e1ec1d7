package io.tandem.cluster.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.tandem.cluster.ConfigFingerprint;
import io.tandem.cluster.ConfigMismatchException;
import io.tandem.config.ClusterConfig;
import io.tandem.config.TandemConfig;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Admission of a joining member. It joins Hazelcast as a lite member (one that owns no partitions), is checked
 * (a unique node id under DNS discovery, the configuration fingerprint against the oldest Tandem member), and only
 * then becomes a data member. A refused node so leaves without partitions to hand back: the others see a member
 * come and go, no migration to it fails half-way, and nothing is logged as an error on them.
 */
final class HzAdmission {
  private static final Logger LOG = LogManager.getLogger(HzAdmission.class);
  /** How long a promotion may be retried while the cluster is busy (a master claim, another join). */
  private static final long PROMOTION_PATIENCE_MILLIS = 30_000;

  private HzAdmission() {}

  /** Checks the member that just joined; throws (and the caller shuts it down) when it must not take part. */
  static void admit(HazelcastInstance hz, TandemConfig config, ConfigFingerprint fingerprint) {
    ClusterConfig cluster = config.cluster();
    if (cluster.discoversMembers()) {
      refuseDuplicateId(hz, config.nodeId());
    }
    Member reference = oldestTandemMember(hz, cluster);
    if (reference != null) {
      String summary = reference.getAttribute(HzMemberConfig.SUMMARY_ATTRIBUTE);
      List<String> found = ConfigFingerprint.mismatches(reference.getAttribute(HzMemberConfig.NODE_ATTRIBUTE),
          ConfigFingerprint.parse(summary == null ? "" : summary), config.nodeId(), fingerprint);
      if (!found.isEmpty()) {
        throw new ConfigMismatchException(found);
      }
    }
    promote(hz);
  }

  /**
   * With DNS discovery nothing else keeps two members from taking one id: the one that joins second stops here (its
   * member list, oldest first, already holds the first). Two that start apart and merge later: the younger is
   * distrusted ({@link HazelcastMembership}).
   */
  private static void refuseDuplicateId(HazelcastInstance hz, String nodeId) {
    for (Member m : hz.getCluster().getMembers()) {
      if (m.localMember()) {
        return;
      }
      if (nodeId.equals(m.getAttribute(HzMemberConfig.NODE_ATTRIBUTE))) {
        throw new IllegalStateException("node id " + nodeId + " is already used by the member at "
            + m.getAddress().getHost() + ":" + m.getAddress().getPort() + "; --node must be unique in the cluster");
      }
    }
  }

  /**
   * The oldest other member that is a Tandem node of this cluster (a configured node id, or under DNS discovery any
   * member with a node id), or null when this member is the first: the reference the fingerprint must match.
   */
  private static Member oldestTandemMember(HazelcastInstance hz, ClusterConfig cluster) {
    Set<String> configured = cluster.discoversMembers() ? null
        : cluster.nodes().stream().map(ClusterConfig.NodeEntry::id).collect(Collectors.toSet());
    for (Member m : hz.getCluster().getMembers()) {
      String id = m.getAttribute(HzMemberConfig.NODE_ATTRIBUTE);
      if (m.localMember()) {
        return null;
      }
      if (id != null && (configured == null || configured.contains(id))) {
        return m;
      }
    }
    return null;
  }

  /** Makes the admitted lite member a data member; retried while Hazelcast says the cluster cannot take it yet. */
  private static void promote(HazelcastInstance hz) {
    long deadline = System.nanoTime() + PROMOTION_PATIENCE_MILLIS * 1_000_000L;
    while (true) {
      try {
        hz.getCluster().promoteLocalLiteMember();
        return;
      } catch (IllegalStateException e) {
        if (!hz.getCluster().getLocalMember().isLiteMember()) {
          return;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("could not become a data member of the cluster: " + e.getMessage(), e);
        }
        LOG.info("cluster not ready to take this member's partitions yet ({}); retrying", e.getMessage());
        try {
          Thread.sleep(200);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while joining the cluster", interrupted);
        }
      }
    }
  }
}
