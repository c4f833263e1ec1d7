package io.tandem.upstream;

import io.tandem.config.TandemConfig;
import java.util.Map;

/**
 * Everything the data plane needs to route, as one immutable value. The {@link UpstreamRegistry} builds a new one
 * whenever configuration, health or admin state changes and publishes it through a volatile reference; a request
 * reads the reference once and uses that snapshot to its end.
 *
 * @param version increases with every swap
 * @param config  the configuration it was built from
 * @param pools   pools by name
 * @param routers routing rules by listener name
 */
public record RoutingSnapshot(
    long version, TandemConfig config, Map<String, PoolSnapshot> pools, Map<String, Router> routers) {

  public PoolSnapshot pool(String name) {
    return pools.get(name);
  }

  public Router router(String listener) {
    return routers.get(listener);
  }
}
