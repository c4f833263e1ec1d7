package io.tandem.bootstrap;

import io.tandem.config.TandemConfig;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * A started node as the process around it sees it: the command line, the signal handlers and the demo only reload,
 * stop and ask where the listeners are bound. {@link TandemNode} is the real implementation; tests use a fake so that
 * reload and stop behaviour is checked without sockets or real signals.
 *
 * <p>Example (what {@code SIGHUP} ends up doing):
 * <pre>{@code
 * TandemConfig next = ConfigLoader.load(file);   // invalid: throws, and the node keeps what it has
 * node.reload(next).onSuccess(v -> log.info("reloaded"));
 * }</pre>
 */
public interface RunningNode {

  /** Replaces the configuration without dropping open connections; fails if the node cannot apply it. */
  Future<Void> reload(TandemConfig config);

  /** Stops accepting, lets in-flight requests finish for at most {@code drain}, then closes everything. */
  Future<Void> shutdown(Duration drain);

  /** The port a listener is bound to (the configured one, or the one picked for port 0). */
  int port(String listenerName);

  /** The configuration in force: the one started with, or the last one reloaded successfully. */
  TandemConfig config();
}
