package io.tandem.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An h2c backend on Netty's own frame codec, for faults a real server will not make: PINGs never answered, a
 * request held without an answer ({@code /hang}), a GOAWAY on demand, a chosen SETTINGS_MAX_CONCURRENT_STREAMS.
 * Answers {@code 200 ok} to every other request once its stream ends. Counts connections accepted and closed.
 */
public final class RawH2Backend implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final AtomicInteger pingsSeen = new AtomicInteger();
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();

  /**
   * @param ackPings   whether PINGs are answered
   * @param maxStreams the SETTINGS_MAX_CONCURRENT_STREAMS announced (0: none announced)
   */
  public RawH2Backend(boolean ackPings, int maxStreams) throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            accepted.incrementAndGet();
            open.add(ch);
            ch.closeFuture().addListener(f -> {
              open.remove(ch);
              closed.incrementAndGet();
            });
            Http2Settings settings = Http2Settings.defaultSettings();
            if (maxStreams > 0) {
              settings.maxConcurrentStreams(maxStreams);
            }
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings)
                .autoAckPingFrame(ackPings).build());
            ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel stream) {
                stream.pipeline().addLast(new Answer());
              }
            }));
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2PingFrame) {
                  pingsSeen.incrementAndGet();
                }
                ReferenceCountUtil.release(msg);
              }
            });
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public int accepted() {
    return accepted.get();
  }

  public int closed() {
    return closed.get();
  }

  public int pingsSeen() {
    return pingsSeen.get();
  }

  /** Sends GOAWAY (NO_ERROR, the last stream it will process) on every open connection. */
  public void goAway() {
    for (Channel ch : open) {
      ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One stream: answers at its end, unless the path is /hang. */
  private static final class Answer extends ChannelInboundHandlerAdapter {
    private String path;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame h && path == null) {
          path = String.valueOf(h.headers().path());
        }
        if (msg instanceof Http2StreamFrame f && endOfStream(f) && !"/hang".equals(path)) {
          ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
          ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII), true));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private static boolean endOfStream(Http2StreamFrame f) {
      return f instanceof Http2HeadersFrame h ? h.isEndStream()
          : f instanceof DefaultHttp2DataFrame d && d.isEndStream();
    }
  }
}
