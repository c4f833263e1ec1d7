package io.tandem.bootstrap;

import io.tandem.config.TandemConfig;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * One running node: Vert.x, the listeners, health checking and the routing snapshot. The command line, the demo and
 * the integration tests all start nodes through this class.
 */
public final class TandemNode {

  private TandemNode() {}

  /** Starts a node with {@code config}; completes when every listener is bound. */
  public static Future<TandemNode> start(TandemConfig config) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Replaces the configuration without dropping open connections. */
  public Future<Void> reload(TandemConfig config) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Stops accepting, lets in-flight requests finish for at most {@code drain}, then closes everything. */
  public Future<Void> shutdown(Duration drain) {
    throw new UnsupportedOperationException("not yet");
  }

  /** The port a listener is bound to (useful when configured with port 0). */
  public int port(String listenerName) {
    throw new UnsupportedOperationException("not yet");
  }

  /** The configuration in force. */
  public TandemConfig config() {
    throw new UnsupportedOperationException("not yet");
  }
}
