package io.tandem.admin;

import io.tandem.cluster.SharedState;
import io.tandem.config.TandemConfig;
import io.tandem.limits.NodeLimits;
import io.tandem.upstream.UpstreamRegistry;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the admin API reads of the node it runs in. The node builds one at start-up; the admin package never
 * reaches into the node itself.
 *
 * @param nodeId          this node's id
 * @param version         the Tandem version this node runs
 * @param startedAtMillis when the node started (wall clock)
 * @param shared          the cluster's shared state (memory only on a single node)
 * @param registry        this node's routing state and the way to change it cluster-wide
 * @param config          the configuration in force (changes on reload)
 * @param listenersReady  whether every configured listener is bound
 * @param limits          this node's overload protection (rate limits, pool guards, refusals); null: none to show
 * @param vips            this node's VIP controller; null when the configuration has no VIPs
 * @param routeCounts     what each HTTP listener's route actions did here: listener, route label, count name
 * @param http3           the QUIC side of each listener with HTTP/3 here: listener, fact name, value
 * @param discovery       the pools' discover entries as this node sees them
 */
public record NodeView(String nodeId, String version, long startedAtMillis, SharedState shared,
    UpstreamRegistry registry, Supplier<TandemConfig> config, BooleanSupplier listenersReady, NodeLimits limits,
    io.tandem.vip.VipController vips, Supplier<Map<String, Map<String, Map<String, Object>>>> routeCounts,
    Supplier<Map<String, Map<String, Object>>> http3,
    Supplier<java.util.List<io.tandem.discovery.Discovery.Status>> discovery) {

  /** A view without discovery. */
  public NodeView(String nodeId, String version, long startedAtMillis, SharedState shared,
      UpstreamRegistry registry, Supplier<TandemConfig> config, BooleanSupplier listenersReady, NodeLimits limits,
      io.tandem.vip.VipController vips, Supplier<Map<String, Map<String, Map<String, Object>>>> routeCounts,
      Supplier<Map<String, Map<String, Object>>> http3) {
    this(nodeId, version, startedAtMillis, shared, registry, config, listenersReady, limits, vips, routeCounts,
        http3, java.util.List::of);
  }

  /** A view without HTTP/3 facts. */
  public NodeView(String nodeId, String version, long startedAtMillis, SharedState shared,
      UpstreamRegistry registry, Supplier<TandemConfig> config, BooleanSupplier listenersReady, NodeLimits limits,
      io.tandem.vip.VipController vips, Supplier<Map<String, Map<String, Map<String, Object>>>> routeCounts) {
    this(nodeId, version, startedAtMillis, shared, registry, config, listenersReady, limits, vips, routeCounts,
        Map::of);
  }

  /** A view without route counts. */
  public NodeView(String nodeId, String version, long startedAtMillis, SharedState shared,
      UpstreamRegistry registry, Supplier<TandemConfig> config, BooleanSupplier listenersReady, NodeLimits limits,
      io.tandem.vip.VipController vips) {
    this(nodeId, version, startedAtMillis, shared, registry, config, listenersReady, limits, vips, Map::of);
  }

  /** A view without overload protection or VIPs (their sections answer empty). */
  public NodeView(String nodeId, String version, long startedAtMillis, SharedState shared,
      UpstreamRegistry registry, Supplier<TandemConfig> config, BooleanSupplier listenersReady) {
    this(nodeId, version, startedAtMillis, shared, registry, config, listenersReady, null, null);
  }
}
