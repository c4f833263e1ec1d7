package io.tandem.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test client for HTTP/3 on Netty's HTTP/3 and QUIC codecs: one QUIC connection (to a node's UDP port on loopback,
 * or through a {@link UdpSwitch}), many request streams on it. Trusts any certificate, sends the SNI it is given.
 *
 * <pre>{@code
 * try (H3Client c = H3Client.connect(new InetSocketAddress("127.0.0.1", port), "a.tandem.test")) {
 *   H3Client.Response r = c.get("/x").get(5, SECONDS);
 * }
 * }</pre>
 */
public final class H3Client implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel udp;
  private final QuicChannel quic;
  private final String authority;
  private final CompletableFuture<Response> early;

  /** What a request got: status, fields, body, trailers; or the stream's reset. */
  public record Response(int status, Map<String, String> headers, String body, Map<String, String> trailers,
      Throwable error) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  private H3Client(EventLoopGroup group, Channel udp, QuicChannel quic, String authority,
      CompletableFuture<Response> early) {
    this.group = group;
    this.udp = udp;
    this.quic = quic;
    this.authority = authority;
    this.early = early;
  }

  public static H3Client connect(InetSocketAddress server, String serverName) throws Exception {
    return connect(server, serverName, null);
  }

  /** Connects, with 0-RTT session resumption from {@code resume}'s context when given (null: a fresh one). */
  public static H3Client connect(InetSocketAddress server, String serverName, QuicSslContext resume)
      throws Exception {
    return connect(server, serverName, resume, null);
  }

  /**
   * Connects; with {@code earlyRequest} (and a {@code resume} context holding a ticket of an earlier connection to
   * the same server) that request goes out in 0-RTT data, before the handshake completes, as soon as the TLS stack
   * allows it. Its answer is {@link #earlyResponse()}.
   */
  public static H3Client connect(InetSocketAddress server, String serverName, QuicSslContext resume,
      Http3Headers earlyRequest) throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      QuicSslContext ssl = resume != null ? resume : context(false);
      ChannelHandler codec = Http3.newQuicClientCodecBuilder()
          .sslEngineProvider(q -> ssl.newEngine(q.alloc(), serverName, server.getPort()))
          .maxIdleTimeout(30, TimeUnit.SECONDS)
          .initialMaxData(16 * 1024 * 1024)
          .initialMaxStreamDataBidirectionalLocal(1024 * 1024)
          .initialMaxStreamDataBidirectionalRemote(1024 * 1024)
          .build();
      Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec)
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      CompletableFuture<Response> early = new CompletableFuture<>();
      QuicChannel quic = QuicChannel.newBootstrap(udp)
          .handler(new io.netty.channel.ChannelInitializer<QuicChannel>() {
            @Override
            protected void initChannel(QuicChannel ch) {
              ch.pipeline().addLast(new Http3ClientConnectionHandler(), new io.netty.channel.ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                  if (evt instanceof io.netty.handler.codec.quic.SslEarlyDataReadyEvent && earlyRequest != null) {
                    Http3.newRequestStream(ch, new Collector(early)).addListener(f -> {
                      if (f.isSuccess()) {
                        ((QuicStreamChannel) f.getNow()).writeAndFlush(new DefaultHttp3HeadersFrame(earlyRequest))
                            .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
                      } else {
                        early.completeExceptionally(f.cause());
                      }
                    });
                  }
                  ctx.fireUserEventTriggered(evt);
                }
              });
            }
          })
          .remoteAddress(server)
          .connect().get(10, TimeUnit.SECONDS);
      return new H3Client(group, udp, quic, serverName + ":" + server.getPort(), early);
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** A client TLS context that trusts anything, offers h3, and (with {@code earlyData}) keeps tickets for 0-RTT. */
  public static QuicSslContext context(boolean earlyData) {
    return QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
        .applicationProtocols(Http3.supportedApplicationProtocols()).earlyData(earlyData).build();
  }

  /** The answer to the request sent in 0-RTT data (never completes when none was sent). */
  public CompletableFuture<Response> earlyResponse() {
    return early;
  }

  public QuicChannel quic() {
    return quic;
  }

  public CompletableFuture<Response> get(String path, String... headers) {
    return request("GET", path, null, headers);
  }

  /**
   * Sends a request on a new stream: its head, then {@code body} (null: none) in one DATA frame, then the end of the
   * stream. {@code headers} are name/value pairs.
   */
  public CompletableFuture<Response> request(String method, String path, byte[] body, String... headers) {
    Http3Headers h = new DefaultHttp3Headers();
    h.method(method).path(path).scheme("https").authority(authority);
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return send(h, body == null ? null : new byte[][] {body}, null);
  }

  /** Sends {@code head}, the body in the given pieces (one DATA frame each), and {@code trailers} (null: none). */
  public CompletableFuture<Response> send(Http3Headers head, byte[][] pieces, Http3Headers trailers) {
    CompletableFuture<Response> done = new CompletableFuture<>();
    Collector collector = new Collector(done);
    Http3.newRequestStream(quic, collector).addListener(f -> {
      if (!f.isSuccess()) {
        done.completeExceptionally(f.cause());
        return;
      }
      QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
      boolean bodyless = (pieces == null || pieces.length == 0) && trailers == null;
      if (bodyless) {
        stream.writeAndFlush(new DefaultHttp3HeadersFrame(head)).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        return;
      }
      List<Object> frames = new ArrayList<>();
      frames.add(new DefaultHttp3HeadersFrame(head));
      if (pieces != null) {
        for (byte[] p : pieces) {
          frames.add(new DefaultHttp3DataFrame(Unpooled.wrappedBuffer(p)));
        }
      }
      if (trailers != null) {
        frames.add(new DefaultHttp3HeadersFrame(trailers));
      }
      for (int i = 0; i < frames.size() - 1; i++) {
        stream.write(frames.get(i));
      }
      // The end of the stream after the last frame is written (not merely queued).
      stream.writeAndFlush(frames.get(frames.size() - 1)).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
    });
    return done;
  }

  /** Gathers a response from a stream's frames. */
  private static final class Collector extends Http3RequestStreamInboundHandler {
    private final CompletableFuture<Response> done;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> trailers = new LinkedHashMap<>();
    private int status;

    Collector(CompletableFuture<Response> done) {
      this.done = done;
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
      Http3Headers h = frame.headers();
      if (status != 0 && h.status() == null) {
        h.forEach(e -> trailers.put(e.getKey().toString(), e.getValue().toString()));
        return;
      }
      int s = Integer.parseInt(h.status().toString());
      if (s >= 100 && s < 200) {
        return;   // interim
      }
      status = s;
      h.forEach(e -> {
        String name = e.getKey().toString();
        headers.merge(name, e.getValue().toString(), (a, b) -> a + ", " + b);
      });
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
      ByteBuf c = frame.content();
      byte[] b = new byte[c.readableBytes()];
      c.readBytes(b);
      body.write(b, 0, b.length);
      frame.release();
    }

    @Override
    protected void channelInputClosed(ChannelHandlerContext ctx) {
      done.complete(new Response(status, headers, body.toString(StandardCharsets.UTF_8), trailers, null));
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      done.complete(new Response(status, headers, body.toString(StandardCharsets.UTF_8), trailers, cause));
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      done.complete(new Response(status, headers, body.toString(StandardCharsets.UTF_8), trailers,
          new java.nio.channels.ClosedChannelException()));
      ctx.fireChannelInactive();
    }
  }

  @Override
  public void close() {
    try {
      quic.close().sync();
      udp.close().sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
