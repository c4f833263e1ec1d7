package io.tandem.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for a virtual IP (or an ECMP router) in front of several nodes' UDP ports: a client sends to
 * {@link #address()}, the switch passes its datagrams on to the current {@link #target} from one socket of its own,
 * and passes back to the client what comes from the current target only (a node that lost the address can no longer
 * answer from it). {@link #target(InetSocketAddress)} moves the address.
 */
public final class UdpSwitch implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel front;
  private final Channel back;
  private final AtomicLong dropped = new AtomicLong();
  private volatile InetSocketAddress target;
  private volatile InetSocketAddress client;

  public UdpSwitch(InetSocketAddress target) throws InterruptedException {
    this.target = target;
    this.back = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            InetSocketAddress to = client;
            if (to != null && p.sender().equals(UdpSwitch.this.target)) {
              front.writeAndFlush(new DatagramPacket(p.content().retain(), to));
            } else {
              dropped.incrementAndGet();
            }
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    this.front = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            client = p.sender();
            back.writeAndFlush(new DatagramPacket(p.content().retain(), UdpSwitch.this.target));
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  /** Where clients send. */
  public InetSocketAddress address() {
    return (InetSocketAddress) front.localAddress();
  }

  /** Sends what clients send to {@code next} from now on. */
  public void target(InetSocketAddress next) {
    this.target = next;
  }

  /** Datagrams from anyone but the current target, not passed on. */
  public long dropped() {
    return dropped.get();
  }

  @Override
  public void close() {
    front.close();
    back.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
