package io.tandem.proxy.h3;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.tandem.cluster.QuicPeers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.crypto.Mac;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A node's relay socket: UDP on its cluster address, through which the nodes pass each other the QUIC packets that
 * reached the wrong node. A relayed datagram is
 *
 * <pre>
 *   "TQR1" | kind (1: to the connection's owner, 2: back to the node the client talks to) | listener name (length,
 *   bytes) | client address (length 4 or 16, bytes, port) | the QUIC packet | HMAC(relay key, all before)[0..16]
 * </pre>
 *
 * The owner feeds a kind-1 packet to its listener as if it had come from the client, and remembers which node it came
 * through; its answers go back as kind 2, and that node sends them from its own listener socket. Datagrams that do not
 * check (another cluster's, forged ones) are dropped and counted. One per node, shared by its HTTP/3 listeners.
 */
public final class QuicRelay implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(QuicRelay.class);
  private static final byte[] MAGIC = "TQR1".getBytes(StandardCharsets.US_ASCII);
  private static final byte TO_OWNER = 1;
  private static final byte TO_EDGE = 2;
  private static final int MAC_LENGTH = 16;

  private final QuicPeers peers;
  private final Keys keys;
  private final Map<String, PacketRouter> listeners = new ConcurrentHashMap<>();
  private volatile Channel channel;
  private long dropped;

  private QuicRelay(QuicPeers peers) {
    this.peers = peers;
    this.keys = new Keys(peers.secret());
  }

  /**
   * Binds the relay socket on {@code host:port} (0: any port) on {@code loop} and announces it to the cluster.
   *
   * @return the relay once bound
   */
  public static CompletableFuture<QuicRelay> start(QuicPeers peers, EventLoop loop,
      Supplier<? extends DatagramChannel> channels, String host, int port) {
    QuicRelay relay = new QuicRelay(peers);
    CompletableFuture<QuicRelay> started = new CompletableFuture<>();
    new Bootstrap().group(loop).channelFactory(channels::get)
        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            relay.received(p);
          }
        })
        .bind(new InetSocketAddress(host, port)).addListener(f -> {
          if (!f.isSuccess()) {
            started.completeExceptionally(f.cause());
            return;
          }
          Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
          relay.channel = ch;
          InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
          LOG.info("QUIC relay listening on {}:{}", host, bound.getPort());
          started.complete(relay);
        });
    return started;
  }

  /** Announces the relay's address (blocking on the cluster: call it off the event loops). */
  public void publish() {
    peers.publishRelay(address());
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** The keys of this cluster's connection ids (one set per node). */
  Keys keys() {
    return keys;
  }

  QuicPeers peers() {
    return peers;
  }

  void register(String listener, PacketRouter router) {
    listeners.put(listener, router);
  }

  void unregister(String listener, PacketRouter router) {
    listeners.remove(listener, router);
  }

  /** The relay of the live node with {@code serverId}, or null when no live node has it. */
  InetSocketAddress peer(int serverId) {
    return peers.relays().get(serverId);
  }

  /** Sends a client's packet to the node that owns its connection. */
  void forward(String listener, InetSocketAddress client, ByteBuf packet, InetSocketAddress owner) {
    send(TO_OWNER, listener, client, packet, owner);
  }

  /** Sends a packet of this node's connection back to the node its client talks to. */
  void back(String listener, InetSocketAddress client, ByteBuf packet, InetSocketAddress edge) {
    send(TO_EDGE, listener, client, packet, edge);
  }

  private void send(byte kind, String listener, InetSocketAddress client, ByteBuf packet, InetSocketAddress to) {
    Channel ch = channel;
    if (ch == null || !ch.isActive()) {
      return;
    }
    byte[] name = listener.getBytes(StandardCharsets.UTF_8);
    byte[] addr = client.getAddress().getAddress();
    ByteBuf out = ch.alloc().buffer(MAGIC.length + 3 + name.length + addr.length + 2 + packet.readableBytes()
        + MAC_LENGTH);
    out.writeBytes(MAGIC).writeByte(kind).writeByte(name.length).writeBytes(name)
        .writeByte(addr.length).writeBytes(addr).writeShort(client.getPort())
        .writeBytes(packet, packet.readerIndex(), packet.readableBytes());
    out.writeBytes(mac(out, out.readerIndex(), out.readableBytes()), 0, MAC_LENGTH);
    ch.writeAndFlush(new DatagramPacket(out, to), ch.voidPromise());
  }

  private byte[] mac(ByteBuf buf, int index, int length) {
    Mac m = keys.mac(Keys.Use.RELAY);
    m.update(buf.nioBuffer(index, length));
    return m.doFinal();
  }

  /** A relayed datagram arrived (relay loop). */
  private void received(DatagramPacket p) {
    ByteBuf in = p.content();
    int start = in.readerIndex();
    int end = in.writerIndex();
    try {
      if (end - start < MAGIC.length + 3 + MAC_LENGTH || !checks(in, start, end)) {
        drop(p, "does not check");
        return;
      }
      int i = start + MAGIC.length;
      byte kind = in.getByte(i++);
      int nameLength = in.getUnsignedByte(i++);
      String name = in.toString(i, nameLength, StandardCharsets.UTF_8);
      i += nameLength;
      int addrLength = in.getUnsignedByte(i++);
      if ((addrLength != 4 && addrLength != 16) || i + addrLength + 2 > end - MAC_LENGTH) {
        drop(p, "bad client address");
        return;
      }
      byte[] addr = new byte[addrLength];
      in.getBytes(i, addr);
      i += addrLength;
      int port = in.getUnsignedShort(i);
      i += 2;
      InetSocketAddress client = new InetSocketAddress(InetAddress.getByAddress(addr), port);
      PacketRouter router = listeners.get(name);
      if (router == null) {
        drop(p, "no HTTP/3 listener " + name);
        return;
      }
      ByteBuf packet = in.retainedSlice(i, end - MAC_LENGTH - i);
      if (kind == TO_OWNER) {
        router.inject(packet, client, p.sender());
      } else if (kind == TO_EDGE) {
        router.sendToClient(packet, client);
      } else {
        packet.release();
        drop(p, "unknown kind " + kind);
      }
    } catch (java.net.UnknownHostException | IndexOutOfBoundsException e) {
      drop(p, e.toString());
    }
  }

  private boolean checks(ByteBuf in, int start, int end) {
    for (int k = 0; k < MAGIC.length; k++) {
      if (in.getByte(start + k) != MAGIC[k]) {
        return false;
      }
    }
    byte[] expected = mac(in, start, end - start - MAC_LENGTH);
    byte[] got = new byte[MAC_LENGTH];
    in.getBytes(end - MAC_LENGTH, got);
    return MessageDigest.isEqual(got, java.util.Arrays.copyOf(expected, MAC_LENGTH));
  }

  private void drop(DatagramPacket p, String why) {
    if (dropped++ % 1000 == 0) {
      LOG.warn("dropped a relayed QUIC datagram from {} ({}); {} so far", p.sender(), why, dropped);
    }
  }

  @Override
  public void close() {
    Channel ch = channel;
    channel = null;
    if (ch != null) {
      ch.close();
    }
  }
}
