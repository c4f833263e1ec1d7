package io.tandem.bench.h3;

import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run: its event loop (one thread), its connections, how many requests it still starts, and when it ends (after
 * {@code -D}, or when {@code -n} requests are done). Requests still in flight at the end are not counted.
 */
final class LoadRun {
  private final LoadOptions options;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final QuicSslContext ssl;
  private final InetSocketAddress remote;
  private final RequestTemplate request;
  private final Stats stats;
  private final long startNanos;
  private final Promise<Void> over;
  private final List<Connection> connections = new ArrayList<>();
  private long endNanos;
  private long receivedBytes;

  private LoadRun(LoadOptions options, Writer log) {
    this.options = options;
    this.group = new MultiThreadIoEventLoopGroup(1,
        options.io() == LoadOptions.Io.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.loop = group.next();
    QuicSslContextBuilder tls = QuicSslContextBuilder.forClient()
        .applicationProtocols(Http3.supportedApplicationProtocols());
    if (options.caFile() == null) {
      tls.trustManager(InsecureTrustManagerFactory.INSTANCE);
    } else {
      tls.trustManager(options.caFile().toFile());
    }
    this.ssl = tls.build();
    this.remote = new InetSocketAddress(options.target().getHost(), options.port());
    this.request = new RequestTemplate(options);
    this.startNanos = System.nanoTime();
    this.stats = new Stats(log, startNanos);
    this.over = loop.newPromise();
  }

  /** Runs to the end and returns what it counted; prints nothing. */
  static Result run(LoadOptions options) throws IOException, InterruptedException {
    Writer log = options.logFile() == null ? null : Files.newBufferedWriter(options.logFile(), StandardCharsets.US_ASCII);
    LoadRun run;
    try {
      run = new LoadRun(options, log);
    } catch (RuntimeException e) {
      if (log != null) {
        log.close();
      }
      throw e;
    }
    try {
      run.loop.execute(run::start);
      run.over.sync();
    } finally {
      run.group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      run.stats.closeLog();
    }
    return run.result();
  }

  private void start() {
    if (options.duration() != null) {
      loop.schedule(this::finish, options.duration().toNanos(), TimeUnit.NANOSECONDS);
    }
    for (int i = 0; i < options.connections(); i++) {
      Connection c = new Connection(this);
      connections.add(c);
      c.open();
    }
  }

  /** Whether another request may start; if so, it is counted as started. */
  boolean claim() {
    if (isOver() || (options.duration() == null && stats.started >= options.requests())) {
      return false;
    }
    stats.started++;
    return true;
  }

  void requestEnded(long startedAt, long endedAt, int status) {
    if (isOver()) {
      return;
    }
    stats.finished(startedAt, endedAt, status);
    if (options.duration() == null && stats.done >= options.requests()) {
      finish();
    }
  }

  /** A connection could not be made: one failed request (of the -n, when the run counts requests). */
  void connectFailed() {
    if (claim()) {
      stats.connectFailures++;
      long now = System.nanoTime();
      requestEnded(now, now, -1);
    }
  }

  void dataReceived(int bytes) {
    if (!isOver()) {
      stats.dataBytes += bytes;
    }
  }

  private void finish() {
    if (isOver()) {
      return;
    }
    endNanos = System.nanoTime();
    List<Future<QuicConnectionStats>> pending = new ArrayList<>();
    for (Connection c : connections) {
      Future<QuicConnectionStats> s = c.stats();
      if (s != null) {
        pending.add(s);
      }
    }
    collect(pending, 0);
  }

  /** Adds up the open connections' received bytes one by one, then closes them all and ends the run. */
  private void collect(List<Future<QuicConnectionStats>> pending, int next) {
    if (next == pending.size()) {
      List<Future<Void>> closing = new ArrayList<>();
      for (Connection c : connections) {
        closing.add(c.close());
      }
      closed(closing, 0);
      return;
    }
    pending.get(next).addListener(f -> {
      if (f.isSuccess()) {
        receivedBytes += ((QuicConnectionStats) f.getNow()).recvBytes();
      }
      collect(pending, next + 1);
    });
  }

  private void closed(List<Future<Void>> closing, int next) {
    if (next == closing.size()) {
      over.trySuccess(null);
    } else {
      closing.get(next).addListener(f -> closed(closing, next + 1));
    }
  }

  boolean isOver() {
    return endNanos != 0;
  }

  private Result result() {
    return new Result(options.duration() == null ? options.requests() : stats.done, stats, endNanos - startNanos,
        receivedBytes);
  }

  EventLoop loop() {
    return loop;
  }

  Class<? extends DatagramChannel> datagramChannel() {
    return options.io() == LoadOptions.Io.EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  ChannelHandler newQuicCodec() {
    return Http3.newQuicClientCodecBuilder()
        .sslEngineProvider(q -> options.serverName() == null ? ssl.newEngine(q.alloc())
            : ssl.newEngine(q.alloc(), options.serverName(), options.port()))
        .maxIdleTimeout(30, TimeUnit.SECONDS)
        .initialMaxData(16 << 20)
        .initialMaxStreamDataBidirectionalLocal(1 << 20)
        .build();
  }

  InetSocketAddress remote() {
    return remote;
  }

  RequestTemplate request() {
    return request;
  }

  int streams() {
    return options.streams();
  }

  int connectTimeoutMillis() {
    return (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
  }

  /**
   * What a run counted.
   *
   * @param total         the requests asked for ({@code -n}), or those done in a {@code -D} run (as h2load counts)
   * @param stats         the counters and durations
   * @param elapsedNanos  from the start to the end of the run
   * @param receivedBytes UDP payload received on the connections still open at the end
   */
  record Result(long total, Stats stats, long elapsedNanos, long receivedBytes) {}
}
