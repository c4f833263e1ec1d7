package io.tandem.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A whole node configuration, parsed once from YAML by {@link ConfigLoader} and validated.
 * Immutable: a reload builds a new instance and the control plane swaps it in.
 *
 * @param source    the file it was read from (for messages), or null when built in code
 * @param node      process-wide settings
 * @param listeners the front-end listeners, at least one
 * @param pools     the backend pools, at least one
 * @param accessLog the access log settings
 * @param cluster   cluster settings with this node's identity, or null for a standalone node
 * @param admin     the admin listener ({@link AdminConfig#NONE} when the node has none)
 * @param vips      floating virtual IPs this node takes part in ({@link VipConfig#NONE} when there are none)
 * @param dns       how discovery resolves names ({@link DnsConfig#DEFAULTS} without a {@code dns} section)
 */
public record TandemConfig(
    Path source,
    NodeSettings node,
    List<ListenerConfig> listeners,
    List<PoolConfig> pools,
    AccessLogConfig accessLog,
    ClusterConfig cluster,
    AdminConfig admin,
    VipConfig vips,
    DnsConfig dns) {

  /** The node id of a standalone node. */
  public static final String LOCAL_NODE = "local";

  public TandemConfig {
    listeners = List.copyOf(listeners);
    pools = List.copyOf(pools);
    admin = admin == null ? AdminConfig.NONE : admin;
    vips = vips == null ? VipConfig.NONE : vips;
    dns = dns == null ? DnsConfig.DEFAULTS : dns;
  }

  /** A configuration with the default name resolution. */
  public TandemConfig(Path source, NodeSettings node, List<ListenerConfig> listeners, List<PoolConfig> pools,
      AccessLogConfig accessLog, ClusterConfig cluster, AdminConfig admin, VipConfig vips) {
    this(source, node, listeners, pools, accessLog, cluster, admin, vips, DnsConfig.DEFAULTS);
  }

  /** A configuration without an admin listener or virtual IPs. */
  public TandemConfig(Path source, NodeSettings node, List<ListenerConfig> listeners, List<PoolConfig> pools,
      AccessLogConfig accessLog, ClusterConfig cluster) {
    this(source, node, listeners, pools, accessLog, cluster, AdminConfig.NONE, VipConfig.NONE);
  }

  /** A configuration without virtual IPs. */
  public TandemConfig(Path source, NodeSettings node, List<ListenerConfig> listeners, List<PoolConfig> pools,
      AccessLogConfig accessLog, ClusterConfig cluster, AdminConfig admin) {
    this(source, node, listeners, pools, accessLog, cluster, admin, VipConfig.NONE);
  }

  /** A configuration without an admin listener. */
  public TandemConfig(Path source, NodeSettings node, List<ListenerConfig> listeners, List<PoolConfig> pools,
      AccessLogConfig accessLog, ClusterConfig cluster, VipConfig vips) {
    this(source, node, listeners, pools, accessLog, cluster, AdminConfig.NONE, vips);
  }

  /** This configuration with another admin section. */
  public TandemConfig withAdmin(AdminConfig admin) {
    return new TandemConfig(source, node, listeners, pools, accessLog, cluster, admin, vips, dns);
  }

  /** A standalone node's configuration. */
  public TandemConfig(Path source, NodeSettings node, List<ListenerConfig> listeners, List<PoolConfig> pools,
      AccessLogConfig accessLog) {
    this(source, node, listeners, pools, accessLog, null, AdminConfig.NONE, VipConfig.NONE);
  }

  /** This node's id: from the cluster section, or {@code local} when standalone. */
  public String nodeId() {
    return cluster == null ? LOCAL_NODE : cluster.nodeId();
  }

  public Optional<PoolConfig> pool(String name) {
    return pools.stream().filter(p -> p.name().equals(name)).findFirst();
  }
}
