package io.tandem.bench.h3;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * A tiny HTTP/3 server on 127.0.0.1, port 0, for the load generator's tests: answers every request with 200 and
 * {@code hello\n}, except the requests (numbered from 1 in the order they arrive) that {@code reset} picks, whose
 * streams it resets (RESET_STREAM, H3_REQUEST_REJECTED) instead of answering. Its certificate is the bench's
 * {@code a.tandem.test}, signed by {@code config/bench/certs/ca.crt}; it allows {@code maxStreams} concurrent request
 * streams per connection.
 */
final class H3TestServer implements AutoCloseable {
  static final File CERTS = new File("../config/bench/certs");
  private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong bodyBytes = new AtomicLong();
  private final AtomicInteger mostWaiting = new AtomicInteger();

  H3TestServer(long maxStreams, LongPredicate reset) throws InterruptedException {
    this(maxStreams, reset, 1);
  }

  /**
   * With {@code batch} above 1, a connection's answers are held until {@code batch} requests wait on it, then all sent
   * at once: a client that keeps fewer in flight waits forever; {@link #mostWaiting()} tells the most that waited.
   */
  H3TestServer(long maxStreams, LongPredicate reset, int batch) throws InterruptedException {
    QuicSslContext ssl = QuicSslContextBuilder.forServer(new File(CERTS, "a.tandem.test.key"), null,
            new File(CERTS, "a.tandem.test.crt"))
        .applicationProtocols(Http3.supportedApplicationProtocols()).build();
    var codec = Http3.newQuicServerCodecBuilder()
        .sslContext(ssl)
        .maxIdleTimeout(30, TimeUnit.SECONDS)
        .initialMaxData(16 << 20)
        .initialMaxStreamDataBidirectionalLocal(1 << 20)
        .initialMaxStreamDataBidirectionalRemote(1 << 20)
        .initialMaxStreamsBidirectional(maxStreams)
        .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
        .handler(new ChannelInitializer<QuicChannel>() {
          @Override
          protected void initChannel(QuicChannel ch) {
            connections.incrementAndGet();
            List<ChannelHandlerContext> waiting = new ArrayList<>();
            ch.pipeline().addLast(new Http3ServerConnectionHandler(new ChannelInitializer<QuicStreamChannel>() {
              @Override
              protected void initChannel(QuicStreamChannel stream) {
                stream.pipeline().addLast(new Answer(reset, batch, waiting));
              }
            }));
          }
        })
        .build();
    channel = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec)
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  long requests() {
    return requests.get();
  }

  long resets() {
    return resets.get();
  }

  long connections() {
    return connections.get();
  }

  long bodyBytes() {
    return bodyBytes.get();
  }

  int mostWaiting() {
    return mostWaiting.get();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Answer extends Http3RequestStreamInboundHandler {
    private final LongPredicate reset;
    private final int batch;
    private final List<ChannelHandlerContext> waiting;   // the connection's, on its event loop only

    Answer(LongPredicate reset, int batch, List<ChannelHandlerContext> waiting) {
      this.reset = reset;
      this.batch = batch;
      this.waiting = waiting;
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
      ReferenceCountUtil.release(frame);
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
      bodyBytes.addAndGet(frame.content().readableBytes());
      frame.release();
    }

    @Override
    protected void channelInputClosed(ChannelHandlerContext ctx) {
      QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
      if (reset.test(requests.incrementAndGet())) {
        resets.incrementAndGet();
        stream.shutdownOutput(Http3ErrorCode.H3_REQUEST_REJECTED.code());
        return;
      }
      waiting.add(ctx);
      mostWaiting.accumulateAndGet(waiting.size(), Math::max);
      if (waiting.size() >= batch) {
        waiting.forEach(Answer::answer);
        waiting.clear();
      }
    }

    private static void answer(ChannelHandlerContext ctx) {
      Http3HeadersFrame head = new DefaultHttp3HeadersFrame();
      head.headers().status("200").addInt("content-length", HELLO.length);
      ctx.write(head);
      ctx.writeAndFlush(new DefaultHttp3DataFrame(Unpooled.wrappedBuffer(HELLO)))
          .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
    }
  }
}
