package io.tandem.cluster.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MemberAttributeConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import io.tandem.cluster.ConfigFingerprint;
import io.tandem.cluster.Membership;
import io.tandem.config.ClusterConfig;
import io.tandem.config.TandemConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;

/** Builds the embedded member's Hazelcast configuration from Tandem's (no hazelcast.xml is ever read). */
final class HzMemberConfig {
  static final String QUORUM = "tandem-quorum";
  static final String NODE_ATTRIBUTE = "tandem.node";
  static final String STARTED_ATTRIBUTE = "tandem.started";
  static final String VERSION_ATTRIBUTE = "tandem.version";
  static final String ADMIN_ATTRIBUTE = "tandem.admin";
  static final String FINGERPRINT_ATTRIBUTE = "tandem.config.sha256";
  static final String SUMMARY_ATTRIBUTE = "tandem.config.summary";

  private HzMemberConfig() {}

  static Config build(TandemConfig tandem, ConfigFingerprint fingerprint, long startedMillis) {
    ClusterConfig cluster = tandem.cluster();
    ClusterConfig.NodeEntry self = cluster.self();
    Config config = new Config();
    config.setClusterName(cluster.name());
    HazelcastAffinityTable.configure(config);
    HazelcastRuntimeState.configure(config);
    // Unique in one JVM (tests run several members); members found in DNS share a port, so the address counts too.
    config.setInstanceName("tandem-" + self.id() + "-" + (cluster.discoversMembers() ? self.clusterHost() + "-" : "")
        + self.clusterPort());

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(self.clusterPort()).setPortAutoIncrement(false).setPortCount(1);
    // A node restarted at once (systemd's Restart=) binds its member port again although the connections its last
    // run closed still wait in TIME_WAIT on it; without SO_REUSEADDR it would refuse to start for a minute.
    network.setReuseAddress(true);
    if (cluster.discoversMembers()) {
      // The member's own address, given as an IP (cluster.address): bound and announced as it is, with no search of
      // the interfaces (an address the kernel accepts but no interface lists, such as 127.0.0.2, works too).
      config.setProperty("hazelcast.local.localAddress", self.clusterHost());
    } else {
      network.getInterfaces().setEnabled(true).addInterface(ip(self.clusterHost()));
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.discoversMembers()) {
      // The members are a DNS name's records, asked at join and at every merge check (every 5 s, below).
      join.getTcpIpConfig().setEnabled(false);
      join.getDiscoveryConfig().addDiscoveryStrategyConfig(
          new DiscoveryStrategyConfig(new HzDnsDiscovery(cluster.members(), tandem.dns()), Map.of()));
      config.setProperty("hazelcast.discovery.enabled", "true");
    } else {
      join.getTcpIpConfig().setEnabled(true);
      for (ClusterConfig.NodeEntry node : cluster.nodes()) {
        join.getTcpIpConfig().addMember(node.clusterAddress());
      }
    }
    config.getJetConfig().setEnabled(false);

    // Failure detection: Hazelcast counts in whole seconds.
    long heartbeat = Math.max(1, cluster.heartbeat().toSeconds());
    long silence = Math.max(heartbeat + 1, seconds(cluster.failureTimeout()));
    config.setProperty("hazelcast.heartbeat.interval.seconds", Long.toString(heartbeat));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(silence));
    // Merge the two sides of a healed split within seconds instead of the default 5 minutes. With DNS discovery this
    // check is also what finds members that were not in the records when this one joined.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    // Members starting together still find each other; a lone first member does not wait 5 s.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Tandem's own graceful stop shuts the member down after draining; Hazelcast's hook would do it first.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.graceful.shutdown.max.wait", "30");
    config.setProperty("hazelcast.logging.type", "log4j2");
    config.setProperty("hazelcast.logging.emoji.enabled", "false");

    MemberAttributeConfig attributes = config.getMemberAttributeConfig();
    attributes.setAttribute(NODE_ATTRIBUTE, self.id());
    attributes.setAttribute(STARTED_ATTRIBUTE, Long.toString(startedMillis));
    attributes.setAttribute(VERSION_ATTRIBUTE, Membership.localVersion());
    if (self.adminHost() != null && self.adminPort() > 0) {
      // An admin listener on every interface is reached at the member's own address.
      String admin = isWildcard(self.adminHost()) ? self.clusterHost() : self.adminHost();
      String host = admin.contains(":") ? "[" + admin + "]" : admin;
      attributes.setAttribute(ADMIN_ATTRIBUTE, host + ":" + self.adminPort());
    }
    attributes.setAttribute(FINGERPRINT_ATTRIBUTE, fingerprint.sha256());
    attributes.setAttribute(SUMMARY_ATTRIBUTE, fingerprint.summary());

    if (cluster.minMembers() >= 2) {
      config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM, true, cluster.minMembers()));
    }
    return config;
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  static String ip(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("cluster host " + host + " cannot be resolved", e);
    }
  }

  private static long seconds(Duration d) {
    return (d.toMillis() + 999) / 1000;
  }
}
