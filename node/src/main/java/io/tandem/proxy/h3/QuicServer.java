package io.tandem.proxy.h3;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3GoAwayFrame;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.AttributeKey;
import io.tandem.cluster.QuicPeers;
import io.tandem.config.ListenerConfig;
import io.tandem.tls.ServerTls;
import io.tandem.tls.pem.CertificateProblem;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * An HTTP/3 listener's UDP side: one socket on one event loop, with a {@link PacketRouter} before Netty's QUIC codec
 * and, on every QUIC connection, a gate (the listener's {@code http3.max-connections}) and Netty's HTTP/3 connection
 * handler, whose request streams get {@code requestStream}. Connection ids come from {@link ConnectionIds} (this
 * node's server id in each), reset tokens and Retry tokens from the cluster secret. Confined to its event loop but
 * for {@link #bind} and {@link #close}.
 */
public final class QuicServer {
  private static final Logger LOG = LogManager.getLogger(QuicServer.class);
  /** QUIC's CONNECTION_REFUSED transport error (RFC 9000 20.1). */
  private static final int CONNECTION_REFUSED = 0x2;
  private static final AttributeKey<long[]> LAST_STREAM = AttributeKey.valueOf("tandem.h3.lastStream");

  private final String listener;
  private final ListenerConfig.Http3 config;
  private final H3Stats stats;
  private final Runnable refusedOutcome;
  private final Set<QuicChannel> connections = new HashSet<>();
  private final Runnable[] tlsRegistration = new Runnable[1];
  private PacketRouter router;
  private QuicRelay relay;
  private Channel channel;
  private boolean draining;
  private CompletableFuture<Void> drained;

  private QuicServer(String listener, ListenerConfig.Http3 config, H3Stats stats, Runnable refusedOutcome) {
    this.listener = listener;
    this.config = config;
    this.stats = stats;
    this.refusedOutcome = refusedOutcome;
  }

  /**
   * Binds {@code host:port} (UDP) on {@code loop}.
   *
   * @param relay          this node's relay, or null alone
   * @param requestStream  the handler each request stream gets (sharable), after Netty's HTTP/3 frame codec
   * @param refusedOutcome counts a connection refused by {@code max-connections} with the listener's outcomes
   */
  public static CompletableFuture<QuicServer> bind(String listener, ListenerConfig.Http3 config, String host,
      int port, EventLoop loop, Supplier<? extends DatagramChannel> channels, ServerTls tls, QuicRelay relay,
      long maxFieldSectionSize, ChannelHandler requestStream, H3Stats stats, Runnable refusedOutcome) {
    QuicServer server = new QuicServer(listener, config, stats, refusedOutcome);
    CompletableFuture<QuicServer> bound = new CompletableFuture<>();
    QuicPeers peers = relay == null ? QuicPeers.ALONE : relay.peers();
    Keys keys = relay == null ? new Keys(peers.secret()) : relay.keys();
    QuicTls quicTls;
    try {
      quicTls = QuicTls.follow(tls, config.earlyData(), keys.ticketKey(), server.tlsRegistration);
    } catch (CertificateProblem | RuntimeException e) {
      bound.completeExceptionally(new IllegalStateException("listener " + listener + ": http3: TLS contexts: "
          + e.getMessage(), e));
      return bound;
    }
    ConnectionIds ids = new ConnectionIds(keys, peers.serverId());
    RetryTokens tokens = new RetryTokens(keys, config, stats.handshaking::get, System::currentTimeMillis,
        stats.retries::increment);
    Http3Settings settings = Http3Settings.defaultSettings().maxFieldSectionSize(maxFieldSectionSize);
    ChannelHandler codec = Http3.newQuicServerCodecBuilder()
        .sslEngineProvider(quicTls::newEngine)
        .maxIdleTimeout(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .initialMaxData(config.connectionWindow())
        .initialMaxStreamDataBidirectionalRemote(config.streamWindow())
        .initialMaxStreamDataBidirectionalLocal(config.streamWindow())
        .initialMaxStreamsBidirectional(config.maxStreams())
        .localConnectionIdLength(ConnectionIds.LENGTH)
        .connectionIdAddressGenerator(ids)
        .resetTokenGenerator(ids)
        .statelessResetToken(ids.firstIdToken())
        .tokenHandler(tokens)
        .handler(new ChannelInitializer<QuicChannel>() {
          @Override
          protected void initChannel(QuicChannel ch) {
            ch.attr(LAST_STREAM).set(new long[] {-1});
            ch.pipeline().addLast(server.new Gate(),
                new Http3ServerConnectionHandler(new StreamStart(requestStream), null, null,
                    new DefaultHttp3SettingsFrame(settings), true));
          }
        })
        .build();
    server.relay = relay;
    server.router = new PacketRouter(listener, ids, relay, stats, config.idleTimeout().toNanos());
    new Bootstrap().group(loop).channelFactory(channels::get)
        .handler(new ChannelInitializer<DatagramChannel>() {
          @Override
          protected void initChannel(DatagramChannel ch) {
            ch.pipeline().addLast("quicRouter", server.router).addLast("quic", codec);
          }
        })
        .bind(new InetSocketAddress(host, port)).addListener(f -> {
          if (!f.isSuccess()) {
            server.tlsRegistration[0].run();
            bound.completeExceptionally(f.cause());
            return;
          }
          server.channel = ((io.netty.channel.ChannelFuture) f).channel();
          if (relay != null) {
            relay.register(listener, server.router);
          }
          bound.complete(server);
        });
    return bound;
  }

  /** The bound UDP port. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Counts request streams and remembers the newest one's id (for GOAWAY). */
  @ChannelHandler.Sharable
  private static final class StreamStart extends ChannelInboundHandlerAdapter {
    private final ChannelHandler requestStream;

    StreamStart(ChannelHandler requestStream) {
      this.requestStream = requestStream;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
      long[] last = stream.parent().attr(LAST_STREAM).get();
      if (last != null) {
        last[0] = Math.max(last[0], stream.streamId());
      }
      ctx.pipeline().replace(this, null, requestStream);
    }
  }

  /**
   * The listener's connection limit, and the counts: a connection beyond {@code max-connections} is closed with
   * CONNECTION_REFUSED as it arrives.
   */
  private final class Gate extends ChannelInboundHandlerAdapter {
    private boolean counted;
    private boolean established;

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
      QuicChannel ch = (QuicChannel) ctx.channel();
      if (draining || stats.open.get() >= config.maxConnections()) {
        stats.refused.increment();
        refusedOutcome.run();
        LOG.debug("listener {} (HTTP/3): refused a connection from {} ({} open)", listener,
            ch.remoteSocketAddress(), stats.open.get());
        ch.close(false, CONNECTION_REFUSED, Unpooled.EMPTY_BUFFER);
        ctx.fireChannelRegistered();
        return;
      }
      counted = true;
      stats.open.incrementAndGet();
      stats.handshaking.incrementAndGet();
      connections.add(ch);
      ctx.fireChannelRegistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (counted && !established) {
        established = true;
        stats.handshaking.decrementAndGet();
        stats.accepted.increment();
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (counted) {
        counted = false;
        if (!established) {
          stats.handshaking.decrementAndGet();
        }
        stats.open.decrementAndGet();
        connections.remove((QuicChannel) ctx.channel());
        if (drained != null && connections.isEmpty()) {
          drained.complete(null);
        }
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("listener {} (HTTP/3): connection from {}: {}", listener,
          ((QuicChannel) ctx.channel()).remoteSocketAddress(), cause.toString());
    }
  }

  /**
   * A graceful stop: new connections are refused, every open one is told GOAWAY (the streams it has started finish,
   * no new ones are taken) and closes once idle; whatever is open after {@code drainMillis} is closed. From any thread.
   */
  public CompletableFuture<Void> drain(long drainMillis) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (channel == null) {
      done.complete(null);
      return done;
    }
    channel.eventLoop().execute(() -> {
      draining = true;
      drained = done;
      if (relay != null) {
        relay.unregister(listener, router);
      }
      for (QuicChannel ch : List.copyOf(connections)) {
        QuicStreamChannel control = Http3.getLocalControlStream(ch);
        long last = ch.attr(LAST_STREAM).get()[0];
        if (control != null) {
          control.writeAndFlush(new DefaultHttp3GoAwayFrame(last < 0 ? 0 : last + 4));
        }
      }
      if (connections.isEmpty()) {
        done.complete(null);
        return;
      }
      channel.eventLoop().schedule(() -> {
        List.copyOf(connections).forEach(Channel::close);
        done.complete(null);
      }, Math.max(1, drainMillis), TimeUnit.MILLISECONDS);
    });
    // Complete once the socket is closed: a restarted listener binds the same port next.
    return done.thenCompose(v -> {
      close();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      channel.closeFuture().addListener(f -> closed.complete(null));
      return closed;
    });
  }

  /** Closes the socket (connections still open end with it). */
  public void close() {
    if (tlsRegistration[0] != null) {
      tlsRegistration[0].run();
    }
    if (relay != null) {
      relay.unregister(listener, router);
    }
    if (channel != null) {
      channel.close();
    }
  }
}
