package io.tandem.cluster;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;

/**
 * What the HTTP/3 listeners of the nodes share so that a QUIC connection survives its packets reaching another node
 * (a VIP move, an ECMP router): a cluster-wide secret (the key of connection ids, stateless-reset tokens and Retry
 * tokens, so any node can read and answer what another issued), each node's server id (encoded in the connection ids
 * it issues) and where each node's relay socket listens. The data path reads {@link #relays()}, an immutable map
 * swapped on the control plane; nothing here blocks after construction.
 */
public interface QuicPeers {

  /** The key of connection ids and tokens (32 bytes), the same on every node of the cluster. */
  byte[] secret();

  /**
   * This node's server id: 1 + its position in {@code nodes:} (the same file on every node), 1 alone; with
   * {@code cluster.discovery: dns} derived from the node id (a trailing ordinal, else a hash).
   */
  int serverId();

  /** Announces this node's relay socket (where the other nodes forward packets of its connections). */
  void publishRelay(InetSocketAddress relay);

  /** Live nodes' relay sockets by server id, this node's own excluded; an immutable map, replaced when it changes. */
  Map<Integer, InetSocketAddress> relays();

  /** A single node's (one per process): a random secret, server id 1, no peers. */
  QuicPeers ALONE = alone();

  private static QuicPeers alone() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new QuicPeers() {
      @Override
      public byte[] secret() {
        return secret.clone();
      }

      @Override
      public int serverId() {
        return 1;
      }

      @Override
      public void publishRelay(InetSocketAddress relay) {
      }

      @Override
      public Map<Integer, InetSocketAddress> relays() {
        return Map.of();
      }
    };
  }
}
