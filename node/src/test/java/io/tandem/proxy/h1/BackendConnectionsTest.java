package io.tandem.proxy.h1;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tandem.testing.ManualClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-loop idle backend connections against a real listening socket on port 0, with a manual clock. */
class BackendConnectionsTest {
  private final ManualClock clock = new ManualClock();
  private final List<Channel> accepted = new CopyOnWriteArrayList<>();
  private EventLoopGroup group;
  private EventLoop loop;
  private Channel server;
  private InetSocketAddress address;
  private BackendConnections idle;

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    loop = group.next();
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelActive(ChannelHandlerContext ctx) {
            accepted.add(ctx.channel());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
    address = (InetSocketAddress) server.localAddress();
    idle = new BackendConnections(loop, NioSocketChannel.class, 2, Duration.ofSeconds(60), clock);
  }

  @AfterEach
  void stop() throws Exception {
    onLoop(() -> {
      idle.closeAll();
      return null;
    });
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private <T> T onLoop(Callable<T> task) throws Exception {
    return loop.submit(task).get(10, TimeUnit.SECONDS);
  }

  private Channel connect() throws Exception {
    Channel ch = onLoop(() -> idle.connect(address, 2000, new ChannelInboundHandlerAdapter())).sync().channel();
    assertSame(loop, ch.eventLoop(), "a backend connection lives on the loop that asked for it");
    return ch;
  }

  private void offer(Channel ch) throws Exception {
    onLoop(() -> {
      idle.offer(address, ch);
      return null;
    });
  }

  @Test
  void theMostRecentlyUsedConnectionIsReusedFirst() throws Exception {
    Channel a = connect();
    Channel b = connect();
    offer(a);
    offer(b);
    assertEquals(2, (int) onLoop(() -> idle.idle(address)));
    assertSame(b, onLoop(() -> idle.take(address)));
    assertSame(a, onLoop(() -> idle.take(address)));
    assertNull(onLoop(() -> idle.take(address)), "nothing idle left");
    assertEquals(0, (int) onLoop(idle::idleTotal));
  }

  @Test
  void overTheBoundTheOldestIsClosed() throws Exception {
    Channel a = connect();
    Channel b = connect();
    Channel c = connect();
    offer(a);
    offer(b);
    offer(c);
    assertEquals(2, (int) onLoop(() -> idle.idle(address)));
    a.closeFuture().await(5, TimeUnit.SECONDS);
    assertFalse(a.isActive(), "the oldest idle connection was closed");
    assertTrue(b.isActive() && c.isActive());
  }

  @Test
  void aConnectionTheBackendClosesWhileIdleIsForgotten() throws Exception {
    Channel a = connect();
    offer(a);
    await().until(() -> accepted.size() == 1);
    accepted.get(0).close().sync();
    await().until(() -> onLoop(() -> idle.idle(address)) == 0);
    assertNull(onLoop(() -> idle.take(address)));
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeoutAndAReusedOneIsNot() throws Exception {
    Channel a = connect();
    Channel b = connect();
    offer(a);
    clock.advance(Duration.ofSeconds(30));
    offer(b);
    clock.advance(Duration.ofSeconds(30));
    onLoop(() -> {
      idle.sweep();
      return null;
    });
    a.closeFuture().await(5, TimeUnit.SECONDS);
    assertFalse(a.isActive(), "idle for 60 s: closed");
    assertTrue(b.isActive(), "idle for 30 s: kept");
    assertEquals(1, (int) onLoop(idle::idleTotal));

    // Taken and offered again: its idle time starts over, and it is still watched for a close by the backend.
    assertSame(b, onLoop(() -> idle.take(address)));
    offer(b);
    clock.advance(Duration.ofSeconds(59));
    onLoop(() -> {
      idle.sweep();
      return null;
    });
    assertTrue(b.isActive());
    b.close().sync();
    await().until(() -> onLoop(idle::idleTotal) == 0);
  }
}
