package io.tandem.balancing;


/**
 * How loaded a backend is, as the load-aware algorithms see it: this node's in-flight count plus the latest counts
 * published by the other cluster nodes. Must be cheap and non-blocking: it is called on the data path.
 */
@FunctionalInterface
public interface LoadView<B extends Candidate> {
  int activeConnections(B backend);
}
