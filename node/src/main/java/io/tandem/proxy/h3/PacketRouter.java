package io.tandem.proxy.h3;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The first handler on an HTTP/3 listener's UDP socket, before Netty's QUIC codec: it reads the destination
 * connection id of every packet and sends it where its connection lives.
 *
 * <ul>
 *   <li>an id this node issued, or one no node of the cluster issued (a client's first Initial): the codec;
 *   <li>another live node's id: relayed to that node ({@link QuicRelay}), whose answers come back through this node's
 *       socket, so the client keeps talking to the address it knows;
 *   <li>the id of a node that is gone: a stateless reset (RFC 9000 10.3), with the token the gone node announced
 *       (any node can compute it from the cluster secret), so the client gives up at once instead of after its idle
 *       time-out.
 * </ul>
 *
 * On the owner's side the same handler takes the relayed packets in ({@link #inject}) and sends the codec's answers
 * to a relayed client back through the node it came from. Event-loop confined, except {@link #inject} and
 * {@link #sendToClient}, which hop onto the loop.
 */
final class PacketRouter extends ChannelDuplexHandler {
  private static final int SHORT_HEADER_ID_OFFSET = 1;
  private static final int LONG_HEADER_ID_OFFSET = 6;
  private static final int MIN_RESET = 21;
  private static final int MAX_RESET = 43;
  private static final int MAX_RELAYED_CLIENTS = 100_000;

  private final String listener;
  private final ConnectionIds ids;
  private final QuicRelay relay;
  private final H3Stats stats;
  private final long relayedExpiryNanos;
  /**
   * The first bytes after the first byte of the newest short-header packet an owner sent through this node to each
   * client: the client's own connection id (of whatever length) leads them. A stateless reset then starts with it, so
   * a client that finds its connection by id (one socket for many connections) hands the reset to that connection.
   */
  private final Map<InetSocketAddress, byte[]> clientIds = new HashMap<>();
  /** Clients whose packets reach this node through another one: where to send their answers. */
  private final Map<InetSocketAddress, Via> relayed = new HashMap<>();
  private ChannelHandlerContext ctx;

  private static final class Via {
    InetSocketAddress edge;
    long seen;
  }

  PacketRouter(String listener, ConnectionIds ids, QuicRelay relay, H3Stats stats, long relayedExpiryNanos) {
    this.listener = listener;
    this.ids = ids;
    this.relay = relay;
    this.stats = stats;
    this.relayedExpiryNanos = relayedExpiryNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof DatagramPacket p)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (!relayed.isEmpty()) {
      relayed.remove(p.sender());   // it reaches this node directly again
    }
    ByteBuf b = p.content();
    int at = idOffset(b);
    int owner = at < 0 ? ConnectionIds.NOT_OURS : ids.serverId(b, b.readerIndex() + at);
    if (owner == ConnectionIds.NOT_OURS || owner == ids.ownServerId()) {
      ctx.fireChannelRead(p);
      return;
    }
    InetSocketAddress to = relay == null ? null : relay.peer(owner);
    if (to != null) {
      stats.relayedOut.increment();
      relay.forward(listener, p.sender(), b, to);
    } else {
      statelessReset(ctx, p, b.readerIndex() + at);
    }
    p.release();
  }

  /** Where the destination connection id starts, if it may be one Tandem issued; -1 otherwise. */
  static int idOffset(ByteBuf b) {
    int r = b.readerIndex();
    int n = b.readableBytes();
    if (n < 1 + ConnectionIds.LENGTH) {
      return -1;
    }
    byte first = b.getByte(r);
    if ((first & 0x80) == 0) {
      return SHORT_HEADER_ID_OFFSET;   // a short header: the id is as long as the ones this cluster issues
    }
    if (n < LONG_HEADER_ID_OFFSET + ConnectionIds.LENGTH || b.getInt(r + 1) == 0
        || b.getUnsignedByte(r + 5) != ConnectionIds.LENGTH) {
      return -1;   // version negotiation, or an id of another length (a client's own)
    }
    return LONG_HEADER_ID_OFFSET;
  }

  /**
   * A packet for a connection of a node that is gone: a stateless reset, shorter than the packet (so two endpoints
   * cannot ping-pong resets) and at least 21 bytes; a packet too short for that gets nothing.
   */
  private void statelessReset(ChannelHandlerContext ctx, DatagramPacket p, int idIndex) {
    int length = Math.min(p.content().readableBytes() - 1, MAX_RESET);
    if (length < MIN_RESET) {
      return;
    }
    byte[] reset = new byte[length];
    ThreadLocalRandom.current().nextBytes(reset);
    reset[0] = (byte) (0x40 | (reset[0] & 0x3F));   // looks like a short-header packet
    byte[] clientId = clientIds.get(p.sender());
    if (clientId != null) {
      System.arraycopy(clientId, 0, reset, 1, Math.min(clientId.length, length - 1 - ConnectionIds.tokenLength()));
    }
    ids.resetToken(p.content(), idIndex, reset, length - ConnectionIds.tokenLength());
    stats.resets.increment();
    ctx.writeAndFlush(new DatagramPacket(ctx.alloc().buffer(length).writeBytes(reset), p.sender()));
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!relayed.isEmpty() && msg instanceof DatagramPacket p) {
      Via via = relayed.get(p.recipient());
      if (via != null) {
        if (System.nanoTime() - via.seen < relayedExpiryNanos) {
          relay.back(listener, p.recipient(), p.content(), via.edge);
          stats.relayedIn.increment();
          p.release();
          promise.trySuccess();
          return;
        }
        relayed.remove(p.recipient());
      }
    }
    ctx.write(msg, promise);
  }

  /** A packet of one of this node's connections that reached {@code edge} first; from the relay's thread. */
  void inject(ByteBuf packet, InetSocketAddress client, InetSocketAddress edge) {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      packet.release();
      return;
    }
    c.executor().execute(() -> {
      Via via = relayed.get(client);
      if (via == null) {
        if (relayed.size() >= MAX_RELAYED_CLIENTS) {
          expire();
        }
        via = new Via();
        relayed.put(client, via);
      }
      via.edge = edge;
      via.seen = System.nanoTime();
      InetSocketAddress local = (InetSocketAddress) c.channel().localAddress();
      c.fireChannelRead(new DatagramPacket(packet, local, client));
      c.fireChannelReadComplete();   // the codec sends what it has to answer at the end of a read
    });
  }

  /** A packet the owner of a connection sends to its client through this node's socket; from the relay's thread. */
  void sendToClient(ByteBuf packet, InetSocketAddress client) {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      packet.release();
      return;
    }
    // From this handler's context: past the codec, straight to the socket.
    c.executor().execute(() -> {
      if (packet.readableBytes() > 1 && (packet.getByte(packet.readerIndex()) & 0x80) == 0) {
        byte[] id = new byte[Math.min(ConnectionIds.LENGTH, packet.readableBytes() - 1)];
        packet.getBytes(packet.readerIndex() + 1, id);
        if (clientIds.size() >= MAX_RELAYED_CLIENTS) {
          clientIds.clear();
        }
        clientIds.put(client, id);
      }
      c.writeAndFlush(new DatagramPacket(packet, client));
    });
  }

  private void expire() {
    long now = System.nanoTime();
    for (Iterator<Via> it = relayed.values().iterator(); it.hasNext(); ) {
      if (now - it.next().seen >= relayedExpiryNanos) {
        it.remove();
      }
    }
    if (relayed.size() >= MAX_RELAYED_CLIENTS) {
      relayed.clear();
    }
  }
}
