package io.tandem.cluster;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Open client connections per client address on the other nodes, so that {@code max-connections-per-client} holds
 * for the cluster: a client that opens 40 connections on n1 and 40 on n2 has 80. Each node publishes its own counts
 * periodically; {@link #others} is a lookup in local memory, stale by at most one publication (100 ms) plus
 * replication.
 *
 * <p>Example: with a limit of 50, n2 accepts a connection from 10.0.0.9 when its own 9 plus {@code others} (40 from
 * n1's last publication) is below 50.
 */
public interface ClientConnectionCounts {

  /** A single node: nobody else holds connections. */
  ClientConnectionCounts NONE = new ClientConnectionCounts() {
    @Override
    public int others(String key) {
      return 0;
    }

    @Override
    public void localSource(Supplier<Map<String, Integer>> source) {}
  };

  /** The other live nodes' latest published count for {@code key} ({@code listener/address}); 0 alone. */
  int others(String key);

  /**
   * Where this node's counts come from (key to open connections, only keys above zero); read and published about
   * every 100 ms when they changed. Called once at start-up.
   */
  void localSource(Supplier<Map<String, Integer>> source);
}
