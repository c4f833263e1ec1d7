package io.tandem.proxy.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The listening socket of a plain-text HTTP listener, shared by the listener's verticle instances, one per event
 * loop: a bare Netty server channel whose accepted connections go round-robin to the joined event loops and are
 * handed to that loop's instance as a bare channel. No Vert.x connection objects are made for them (Vert.x's
 * HttpServer builds two per connection, with a message queue each, only for Tandem to take them out again), which is
 * most of what a new connection cost.
 *
 * <p>TLS listeners keep Vert.x's HttpServer for TLS, ALPN, SNI, certificate reload and the HTTP/2 front. Joining and
 * leaving are control-plane calls (synchronized); choosing a loop for a new connection runs on the acceptor thread and
 * reads an immutable array.
 */
final class HttpAcceptor {
  private final String host;
  private final int port;
  private final Map<EventLoop, Consumer<Channel>> handlers = new ConcurrentHashMap<>();
  private final Children children = new Children();
  private CompletableFuture<Integer> bound;
  private Channel server;

  HttpAcceptor(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /**
   * Adds an event loop: connections accepted from now on may go to it, and {@code handler} is called on that loop
   * with each of them. The first call binds the socket.
   *
   * @return the bound port, or the bind failure
   */
  synchronized CompletableFuture<Integer> join(EventLoopGroup acceptors, ChannelFactory<? extends ServerChannel> factory,
      EventLoop loop, Consumer<Channel> handler) {
    handlers.put(loop, handler);
    children.add(loop);
    if (bound == null) {
      bound = new CompletableFuture<>();
      bind(acceptors, factory);
    }
    return bound;
  }

  private void bind(EventLoopGroup acceptors, ChannelFactory<? extends ServerChannel> factory) {
    ServerBootstrap b = new ServerBootstrap()
        .group(acceptors, children)
        .channelFactory(factory)
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            Consumer<Channel> h = handlers.get(ch.eventLoop());
            if (h == null) {
              ch.close(); // its instance left between the choice of loop and now
            } else {
              h.accept(ch);
            }
          }
        });
    ChannelFuture f;
    try {
      f = b.bind(new InetSocketAddress(host, port));
    } catch (RuntimeException e) {
      bound.completeExceptionally(e);
      return;
    }
    f.addListener(done -> {
      if (done.isSuccess()) {
        synchronized (this) {
          server = f.channel();
        }
        bound.complete(((InetSocketAddress) f.channel().localAddress()).getPort());
      } else {
        bound.completeExceptionally(done.cause());
      }
    });
  }

  /** Removes an event loop; once none is left the socket closes (connections already accepted stay open). */
  synchronized void leave(EventLoop loop) {
    handlers.remove(loop);
    children.remove(loop);
    if (handlers.isEmpty() && server != null) {
      server.close();
      server = null;
    }
  }

  /**
   * The event loops that accepted connections are registered with. {@link #next} is called on the acceptor thread
   * only, so its position needs no atomics; the array is replaced, never changed, when a loop joins or leaves.
   */
  @SuppressWarnings("deprecation")
  private static final class Children extends AbstractEventExecutorGroup implements EventLoopGroup {
    private volatile EventLoop[] loops = new EventLoop[0];
    private int position;

    synchronized void add(EventLoop loop) {
      EventLoop[] next = Arrays.copyOf(loops, loops.length + 1);
      next[loops.length] = loop;
      loops = next;
    }

    synchronized void remove(EventLoop loop) {
      loops = Arrays.stream(loops).filter(l -> l != loop).toArray(EventLoop[]::new);
    }

    @Override
    public EventLoop next() {
      EventLoop[] l = loops;
      if (l.length == 0) {
        throw new IllegalStateException("no event loop takes connections");
      }
      position = (position + 1) % l.length;
      return l[position];
    }

    @Override
    public ChannelFuture register(Channel channel) {
      return next().register(channel);
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
      return next().register(promise);
    }

    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
      return next().register(channel, promise);
    }

    @Override
    public Iterator<EventExecutor> iterator() {
      return List.<EventExecutor>of(loops).iterator();
    }

    // The loops belong to Vert.x: this group never shuts them down.
    @Override
    public boolean isShuttingDown() {
      return false;
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
      return terminationFuture();
    }

    @Override
    public Future<?> terminationFuture() {
      return GlobalEventExecutor.INSTANCE.newFailedFuture(new UnsupportedOperationException("shared event loops"));
    }

    @Override
    public void shutdown() {
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return false;
    }
  }
}
