package io.tandem.cluster.hazelcast;

import io.tandem.cluster.QuicPeers;
import io.tandem.cluster.QuicServerIds;
import io.tandem.cluster.hazelcast.HazelcastMembership;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.tandem.config.ClusterConfig;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link QuicPeers} over Hazelcast: the secret is one entry of the map {@value #MAP} that the first member puts and
 * every later one reads (blocking, at construction, off the event loops); relay addresses are entries
 * {@code relay:<node id>} of a {@code ReplicatedMap} ({@value #RELAYS}), read into an immutable map of the live
 * members' on the control executor when an entry changes or a member comes or goes.
 */
final class HazelcastQuicPeers implements QuicPeers {
  static final String MAP = "tandem-quic";
  static final String RELAYS = "tandem-quic-relays";
  private static final Logger LOG = LogManager.getLogger(HazelcastQuicPeers.class);

  private final String nodeId;
  private final int serverId;
  private final Map<String, Integer> serverIds = new HashMap<>();
  private final boolean discovered;
  private final Set<String> collisions = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final byte[] secret;
  private final HazelcastMembership membership;
  private final ReplicatedMap<String, String> relayMap;
  private volatile Map<Integer, InetSocketAddress> relays = Map.of();

  HazelcastQuicPeers(HazelcastInstance hz, ClusterConfig cluster, HazelcastMembership membership, Executor control) {
    this.nodeId = cluster.nodeId();
    this.membership = membership;
    List<ClusterConfig.NodeEntry> nodes = cluster.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      serverIds.put(nodes.get(i).id(), i + 1);
    }
    this.discovered = cluster.discoversMembers();
    this.serverId = discovered ? QuicServerIds.of(nodeId) : serverIds.getOrDefault(nodeId, 1);
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    String mine = Base64.getEncoder().encodeToString(fresh);
    String shared = hz.<String, String>getMap(MAP).putIfAbsent("secret", mine);
    this.secret = Base64.getDecoder().decode(shared == null ? mine : shared);
    this.relayMap = hz.getReplicatedMap(RELAYS);
    relayMap.addEntryListener(new HzEntryListener<>() {
      @Override
      void changed(String key, String valueOrNull) {
        control.execute(HazelcastQuicPeers.this::rebuild);
      }

      @Override
      void cleared() {
        control.execute(HazelcastQuicPeers.this::rebuild);
      }
    });
    membership.addListener(members -> control.execute(this::rebuild));
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public int serverId() {
    return serverId;
  }

  @Override
  public void publishRelay(InetSocketAddress relay) {
    relayMap.put("relay:" + nodeId, relay.getHostString() + ":" + relay.getPort());
    rebuild();
  }

  @Override
  public Map<Integer, InetSocketAddress> relays() {
    return relays;
  }

  /** Withdraws this node's relay (graceful stop); blocking. */
  void withdraw() {
    relayMap.remove("relay:" + nodeId);
  }

  /** A node's server id: its position in the nodes list, or from its id with DNS discovery ({@link QuicServerIds}). */
  private Integer serverIdOf(String node) {
    return discovered ? Integer.valueOf(QuicServerIds.of(node)) : serverIds.get(node);
  }

  private void rebuild() {
    try {
      Set<String> live = new HashSet<>();
      membership.members().forEach(m -> live.add(m.nodeId()));
      Map<Integer, InetSocketAddress> next = new HashMap<>();
      for (Map.Entry<String, String> e : relayMap.entrySet()) {
        String node = e.getKey().substring("relay:".length());
        Integer id = serverIdOf(node);
        if (id == null || node.equals(nodeId) || !live.contains(node)) {
          continue;
        }
        if (id == serverId || next.containsKey(id)) {
          if (collisions.add(node)) {
            LOG.warn("QUIC server id {} of node {} is also another live node's: HTTP/3 connections of one may be "
                + "relayed to the other and dropped; give the members ordinal ids (name-0, name-1, ...)", id, node);
          }
          continue;
        }
        int colon = e.getValue().lastIndexOf(':');
        next.put(id, new InetSocketAddress(e.getValue().substring(0, colon),
            Integer.parseInt(e.getValue().substring(colon + 1))));
      }
      relays = Map.copyOf(next);
    } catch (RuntimeException e) {
      // A member shutting down: the next change rebuilds again.
      LOG.debug("QUIC relays not rebuilt: {}", e.toString());
    }
  }
}
