package io.tandem.vip;

import io.tandem.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link Heartbeats} over UDP: bound to this node's cluster host and port number, sending to every other node's.
 * A datagram is accepted only from a configured node's address and port and only with its node id and the cluster
 * name; like the Hazelcast port, it is not authenticated, so firewall it to the member addresses.
 */
public final class UdpHeartbeats implements Heartbeats {
  private static final Logger LOG = LogManager.getLogger(UdpHeartbeats.class);

  private final Vertx vertx;
  private final ClusterConfig.NodeEntry self;
  private final String cluster;
  private final List<Peer> peers = new ArrayList<>();
  private final Map<String, String> nodeBySender = new HashMap<>();
  private DatagramSocket socket;
  private boolean warnedSend;

  private record Peer(String id, String ip, int port) {}

  /** Resolves the nodes' addresses (may block on DNS: call it off the event loops). */
  public UdpHeartbeats(Vertx vertx, ClusterConfig config) {
    this.vertx = vertx;
    this.self = config.self();
    this.cluster = config.name();
    for (ClusterConfig.NodeEntry node : config.nodes()) {
      String ip = resolve(node.clusterHost());
      nodeBySender.put(ip + ":" + node.clusterPort(), node.id());
      if (!node.id().equals(self.id())) {
        peers.add(new Peer(node.id(), ip, node.clusterPort()));
      }
    }
  }

  @Override
  public Future<Void> open(Consumer<Heartbeat> receiver) {
    socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReuseAddress(true));
    socket.handler(packet -> {
      String sender = packet.sender().hostAddress() + ":" + packet.sender().port();
      String node = nodeBySender.get(sender);
      try {
        Heartbeat beat = Heartbeat.decode(packet.data().getBytes());
        if (node != null && node.equals(beat.nodeId()) && cluster.equals(beat.cluster())) {
          receiver.accept(beat);
        }
      } catch (IllegalArgumentException ignored) {
        // Not a beat of ours: ignored like any stray datagram.
      }
    });
    return socket.listen(self.clusterPort(), resolve(self.clusterHost())).<Void>mapEmpty()
        .recover(e -> Future.failedFuture("VIP heartbeats cannot bind UDP " + self.clusterAddress() + ": "
            + e.getMessage()));
  }

  @Override
  public void send(Heartbeat beat) {
    if (socket == null) {
      return;
    }
    Buffer data = Buffer.buffer(beat.encode());
    for (Peer peer : peers) {
      socket.send(data, peer.port, peer.ip).onFailure(e -> {
        if (!warnedSend) {
          warnedSend = true;
          LOG.warn("cannot send VIP heartbeat to {} ({}:{}): {} (logged once)", peer.id, peer.ip, peer.port,
              e.getMessage());
        }
      });
    }
  }

  @Override
  public Future<Void> close() {
    DatagramSocket s = socket;
    socket = null;
    return s == null ? Future.succeededFuture() : s.close();
  }

  private static String resolve(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve node address " + host + ": " + e.getMessage(), e);
    }
  }
}
