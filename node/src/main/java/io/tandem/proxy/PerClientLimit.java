package io.tandem.proxy;

import io.tandem.util.Outcome;
import io.tandem.limits.ClientConnections;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Applies a listener's {@code max-connections-per-client} when a connection is accepted, HTTP or TCP alike: the
 * connection is counted under its client address in the cluster-wide {@link ClientConnections}, or refused.
 */
public final class PerClientLimit {
  private static final Logger LOG = LogManager.getLogger(PerClientLimit.class);
  /** Returned for a connection that was not counted (no limit), so release knows to do nothing. */
  public static final String UNCOUNTED = "";

  private PerClientLimit() {}

  /**
   * Counts a connection of {@code client} on {@code listener} against {@code max} (0: no limit). Returns the client
   * address it was counted under, {@link #UNCOUNTED} when there is no limit, or null when refused (the caller records
   * {@link Outcome#CLIENT_CONNECTIONS} and closes the connection).
   */
  public static String admit(ClientConnections counts, String listener, int max, String client) {
    if (max <= 0 || counts == null) {
      return UNCOUNTED;
    }
    if (counts.tryOpen(listener, client, max)) {
      return client;
    }
    LOG.debug("client {} at {} connections on {}, closing", client, max, listener);
    return null;
  }

  /** The connection counted by {@link #admit} closed. */
  public static void release(ClientConnections counts, String listener, String client) {
    if (client != null && !client.isEmpty() && counts != null) {
      counts.close(listener, client);
    }
  }
}
