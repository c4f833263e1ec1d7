package io.tandem.balancing;

import io.tandem.upstream.Backend;

/**
 * How loaded a backend is, as the load-aware algorithms see it: this node's in-flight count plus the latest counts
 * published by the other cluster nodes. Must be cheap and non-blocking: it is called on the data path.
 */
@FunctionalInterface
public interface LoadView {
  /** Only this node's counters; right for a single node and for unit tests. */
  LoadView LOCAL = b -> b.stats().active();

  int activeConnections(Backend backend);
}
