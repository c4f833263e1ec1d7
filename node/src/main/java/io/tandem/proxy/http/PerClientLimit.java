package io.tandem.proxy.http;

import io.tandem.config.ListenerConfig;
import io.tandem.limits.ClientConnections;
import io.tandem.proxy.Outcome;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Applies {@code max-connections-per-client} when a connection is accepted. */
final class PerClientLimit {
  private static final Logger LOG = LogManager.getLogger(PerClientLimit.class);
  /** Returned for a connection that was not counted (no limit), so release knows to do nothing. */
  static final String UNCOUNTED = "";

  private PerClientLimit() {}

  /**
   * Counts the connection against its client's limit. Returns the client address it was counted under,
   * {@link #UNCOUNTED} when the listener has no limit, or null when refused (recorded; the caller closes it).
   */
  static String admit(ListenerRuntime runtime, ListenerConfig lc, HttpConnection conn) {
    ClientConnections counts = runtime.clientConnections();
    if (lc.maxConnectionsPerClient() <= 0 || counts == null) {
      return UNCOUNTED;
    }
    SocketAddress remote = conn.remoteAddress();
    String client = remote == null || remote.hostAddress() == null ? "-" : remote.hostAddress();
    if (counts.tryOpen(runtime.name(), client, lc.maxConnectionsPerClient())) {
      return client;
    }
    runtime.record(Outcome.CLIENT_CONNECTIONS);
    LOG.debug("client {} at {} connections on {}, closing", client, lc.maxConnectionsPerClient(), runtime.name());
    return null;
  }

  /** The connection counted by {@link #admit} closed. */
  static void release(ListenerRuntime runtime, String client) {
    ClientConnections counts = runtime.clientConnections();
    if (client != null && !client.isEmpty() && counts != null) {
      counts.close(runtime.name(), client);
    }
  }
}
