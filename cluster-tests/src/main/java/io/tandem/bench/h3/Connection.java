package io.tandem.bench.h3;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamLimitChangedEvent;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One QUIC connection of a run, on a UDP socket of its own, keeping up to {@code -m} requests in flight: each time one
 * ends the next starts, as long as the run wants more and the server's stream limit allows it (when that limit is
 * reached, the connection waits for the server to raise it).
 *
 * <p>A connection that fails to connect counts as one failed request and is tried again 100 ms later; one that is
 * lost fails the requests in flight on it and is opened again at once. Used on the run's event loop only.
 */
final class Connection {
  private static final long RETRY_MILLIS = 100;

  private final LoadRun run;
  private Channel udp;
  private QuicChannel quic;
  private int inFlight;

  Connection(LoadRun run) {
    this.run = run;
  }

  void open() {
    if (run.isOver()) {
      return;
    }
    new Bootstrap().group(run.loop()).channel(run.datagramChannel()).handler(run.newQuicCodec())
        .bind(new InetSocketAddress(0)).addListener(bound -> {
          if (!bound.isSuccess()) {
            connectFailed();
            return;
          }
          udp = ((ChannelFuture) bound).channel();
          QuicChannel.newBootstrap(udp)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, run.connectTimeoutMillis())
              .handler(new ChannelInitializer<QuicChannel>() {
                @Override
                protected void initChannel(QuicChannel ch) {
                  ch.pipeline().addLast(new StreamLimitWatcher(), new Http3ClientConnectionHandler());
                }
              })
              .remoteAddress(run.remote())
              .connect()
              .addListener(this::connected);
        });
  }

  private void connected(Future<? super QuicChannel> f) {
    if (!f.isSuccess()) {
      closeSocket();
      connectFailed();
      return;
    }
    QuicChannel channel = (QuicChannel) f.getNow();
    if (run.isOver()) {
      channel.close();
      return;
    }
    quic = channel;
    channel.closeFuture().addListener(closed -> lost(channel));
    fill();
  }

  private void connectFailed() {
    run.connectFailed();
    if (!run.isOver()) {
      run.loop().schedule(this::open, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void lost(QuicChannel channel) {
    closeSocket();
    if (quic == channel) {
      quic = null;
      // The streams of the lost connection end (channelInactive) before a new one is opened, on a later turn.
      run.loop().execute(this::open);
    }
  }

  /** Starts requests until {@code -m} are in flight, the run wants no more, or the server's stream limit is hit. */
  private void fill() {
    QuicChannel channel = quic;
    while (channel != null && channel.isActive() && inFlight < run.streams()
        && channel.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) > 0 && run.claim()) {
      inFlight++;
      RequestHandler request = new RequestHandler(this, System.nanoTime());
      Http3.newRequestStream(channel, request).addListener(opened -> {
        if (opened.isSuccess()) {
          request.send((QuicStreamChannel) opened.getNow(), run.request());
        } else {
          request.failed();
        }
      });
    }
  }

  void requestEnded(RequestHandler request, int status) {
    inFlight--;
    run.requestEnded(request.startNanos(), System.nanoTime(), status);
    if (status < 0) {
      run.loop().execute(this::fill);   // not at once: a stream that cannot be opened fails at once
    } else {
      fill();
    }
  }

  void dataReceived(int bytes) {
    run.dataReceived(bytes);
  }

  /** The connection's counters, when it is still open; {@code null} otherwise. */
  Future<QuicConnectionStats> stats() {
    QuicChannel channel = quic;
    return channel != null && channel.isActive() ? channel.collectStats() : null;
  }

  /** Closes the connection (and its socket), for the end of the run. */
  Future<Void> close() {
    QuicChannel channel = quic;
    quic = null;
    if (channel == null) {
      return udp == null ? run.loop().newSucceededFuture(null) : udp.close();
    }
    return channel.close().addListener(closed -> closeSocket());
  }

  /** On a later turn of the loop: not from inside the socket's read, which would then read a closed socket. */
  private void closeSocket() {
    Channel socket = udp;
    run.loop().execute(socket::close);
  }

  /** Starts more requests when the server raises its limit on concurrent streams. */
  private final class StreamLimitWatcher extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof QuicStreamLimitChangedEvent) {
        fill();
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
