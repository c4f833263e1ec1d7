package io.tandem.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.timeout.IdleStateHandler;
import io.tandem.balancing.PickContext;
import io.tandem.config.Algorithm;
import io.tandem.config.ListenerConfig;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.ProxyProtocolAccept;
import io.tandem.config.ProxyProtocolVersion;
import io.tandem.proxy.BackendAttempt;
import io.tandem.util.Outcome;
import io.tandem.proxy.PerClientLimit;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.util.VertxScheduler;
import io.vertx.core.Context;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.internal.net.NetSocketInternal;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One proxied TCP connection, from accept to close: the listener's connection limit, an optional PROXY header from a
 * trusted balancer, the backend choice (source affinity, the pool's algorithm, the backend's cluster-wide
 * {@code max-connections} slot or the pool's wait queue), connect with retries on other backends before any byte is
 * sent, then a {@link Splice}. The backend choice is a {@link BackendAttempt} (the one HTTP drives too); this class
 * moves the bytes. Runs on the client connection's event loop. Every connection ends in one {@link Outcome}.
 */
final class TcpConnection implements BackendAttempt.Leg, Relay.Events {
  private static final Logger LOG = LogManager.getLogger(TcpConnection.class);

  private final TcpListenerRuntime listener;
  private final ListenerConfig lc;
  private final NetClient backends;
  private final Context context;
  private final Channel channel;
  private final long startNanos = System.nanoTime();
  private Relay front;
  private InetSocketAddress clientAddress;
  private InetSocketAddress destination;
  private String clientIp;
  private boolean readingHeader;
  private boolean sniff;
  private ByteBuf held;
  private boolean clientInputDone;

  private SourceAffinity session;
  /** The PROXY header timer (-1: none). */
  private long timer = -1;
  private boolean spliced;
  private long bytesIn;
  private long bytesOut;
  private boolean finished;
  private final BackendAttempt attempt;

  private TcpConnection(TcpListenerRuntime listener, NetClient backends, Context context, Channel channel) {
    this.listener = listener;
    this.lc = listener.config();
    this.backends = backends;
    this.context = context;
    this.channel = channel;
    this.clientAddress = inet(channel.remoteAddress());
    this.destination = inet(channel.localAddress());
    this.clientIp = clientAddress == null ? "-" : clientAddress.getAddress().getHostAddress();
    this.attempt = new BackendAttempt(listener, task -> context.runOnContext(v -> task.run()),
        new VertxScheduler(context));
  }

  /** Takes over a just-accepted client socket. */
  static void accept(TcpListenerRuntime listener, NetClient backends, NetSocket socket, Context context) {
    Channel ch = ((NetSocketInternal) socket).channelHandlerContext().channel();
    ch.config().setAutoRead(false);
    TcpConnection c = new TcpConnection(listener, backends, context, ch);
    int open = listener.connections().incrementAndGet();
    ch.closeFuture().addListener(f -> listener.connections().decrementAndGet());
    if (c.lc.maxConnections() > 0 && open > c.lc.maxConnections()) {
      LOG.debug("listener {} full ({} connections), closing {}", listener.name(), c.lc.maxConnections(), c.clientIp);
      c.fail(Outcome.LISTENER_FULL);
      return;
    }
    // Counted under the peer's address: a PROXY header's client is known only later, and the limit guards the socket.
    String client = PerClientLimit.admit(listener.clientConnections(), listener.name(), c.lc.maxConnectionsPerClient(),
        c.clientIp);
    if (client == null) {
      c.fail(Outcome.CLIENT_CONNECTIONS);
      return;
    }
    ch.closeFuture().addListener(f -> PerClientLimit.release(listener.clientConnections(), listener.name(), client));
    c.start();
  }

  private void start() {
    long idle = Math.max(1, lc.timeouts().idle().toMillis());
    channel.pipeline().addBefore("handler", "tandem-idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
    front = Relay.install(channel, this);
    ProxyProtocolAccept pp = lc.proxyProtocol();
    if (pp.accept() && clientAddress != null && pp.trusts(clientAddress.getAddress())) {
      readingHeader = true;
      timer = context.owner().setTimer(Math.max(1, pp.timeout().toMillis()), id -> {
        timer = -1;
        if (readingHeader) {
          refuseHeader(Outcome.CLIENT_TIMEOUT, "no complete PROXY header within " + pp.timeout().toMillis() + " ms");
        }
      });
      channel.read();
      return;
    }
    sniff = pp.accept();
    route();
  }

  // ---- PROXY header from a trusted balancer (the front relay's events until the splice) ----

  @Override
  public void read(Relay from, ByteBuf data) {
    if (finished) {
      data.release();
      return;
    }
    // Reads are requested one by one (auto-read is off), but one already under way when the connection was accepted
    // still delivers: hold it for the backend.
    held = join(held, data);
    if (!readingHeader) {
      return;
    }
    ProxyProtocol.Result r = ProxyProtocol.parse(held);
    switch (r.status()) {
      case INCOMPLETE -> { }
      case VALID -> {
        readingHeader = false;
        cancelTimer();
        held.skipBytes(r.length());
        if (!r.header().local()) {
          clientAddress = r.header().source();
          destination = r.header().destination();
          clientIp = clientAddress.getAddress().getHostAddress();
        }
        route();
      }
      case INVALID -> refuseHeader(Outcome.PROXY_HEADER_INVALID, r.problem());
      case ABSENT -> refuseHeader(Outcome.PROXY_HEADER_INVALID, "no PROXY header from a trusted address");
    }
  }

  private ByteBuf join(ByteBuf a, ByteBuf b) {
    if (a == null) {
      return b;
    }
    ByteBuf joined = channel.alloc().buffer(a.readableBytes() + b.readableBytes());
    joined.writeBytes(a).writeBytes(b);
    a.release();
    b.release();
    return joined;
  }

  private void refuseHeader(Outcome outcome, String why) {
    readingHeader = false;
    if (listener.logAllowed()) {
      LOG.warn("listener {}: refused connection from {}: {} (further refusals within a second are only counted)",
          listener.name(), clientIp, why);
    }
    fail(outcome);
  }

  @Override
  public void readComplete(Relay from) {
    if (readingHeader) {
      channel.read();
    }
  }

  @Override
  public void inputShutdown(Relay from) {
    if (readingHeader) {
      refuseHeader(Outcome.PROXY_HEADER_INVALID, "connection closed inside the PROXY header");
    } else {
      clientInputDone = true;
    }
  }

  @Override
  public void writable(Relay from) {
  }

  @Override
  public void closed(Relay from) {
    if (finished) {
      return;
    }
    cancelTimer();
    finish(Outcome.CLIENT_ABORTED);
  }

  @Override
  public void idle(Relay from) {
    fail(Outcome.IDLE_TIMEOUT);
  }

  // ---- backend choice (the attempt decides; this class connects) ----

  private void route() {
    PoolSnapshot pool = listener.registry().snapshot().pool(lc.defaultPool());
    if (pool == null) {
      fail(Outcome.NO_BACKEND);
      return;
    }
    if (TcpRateLimit.refuses(listener, pool.name(), clientIp)) {
      fail(Outcome.RATE_LIMITED);
      return;
    }
    if (!attempt.admit(pool)) {
      fail(Outcome.CIRCUIT_OPEN);
      return;
    }
    PickContext pick = pool.config().algorithm() == Algorithm.SOURCE_HASH ? PickContext.forKey(clientIp)
        : PickContext.create();
    PersistenceConfig persistence = pool.config().persistence();
    if (persistence != null && persistence.type() == PersistenceConfig.Type.SOURCE_ADDRESS) {
      session = new SourceAffinity(pool, listener.affinity(), clientIp);
    }
    attempt.start(pick, session == null ? BackendAttempt.NONE : session, this);
  }

  @Override
  public void refuse(Outcome outcome) {
    fail(outcome);
  }

  @Override
  public void connect(Backend b) {
    PoolSnapshot pool = attempt.pool();
    ConnectOptions options = new ConnectOptions().setRemoteAddress(b.address())
        .setTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, pool.config().timeouts().connect().toMillis())));
    backends.connect(options).onComplete(ar -> {
      if (finished) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        attempt.release(false);
        return;
      }
      if (ar.failed()) {
        attempt.connectFailed(ar.cause());
      } else {
        connected(ar.result());
      }
    });
  }

  private void connected(NetSocket socket) {
    Channel ch = ((NetSocketInternal) socket).channelHandlerContext().channel();
    ch.config().setAutoRead(false);
    Relay back = Relay.install(ch, this);
    Backend backend = attempt.backend();
    if (session != null) {
      session.record(backend);
    }
    ProxyProtocolVersion send = attempt.pool().config().proxyProtocol();
    if (send != ProxyProtocolVersion.NONE) {
      ch.write(ProxyProtocol.encode(send, clientAddress, destination, ch.alloc()), ch.voidPromise());
    }
    spliced = true;
    ByteBuf first = held;
    held = null;
    Splice.start(front, back, first, clientInputDone, sniff, (outcome, in, out, cause) -> {
      bytesIn = in;
      bytesOut = out;
      if (cause != null) {
        LOG.debug("connection {} -> {} ended {}: {}", clientIp, backend, outcome.label(), cause.toString());
      }
      attempt.release(false);
      if (outcome == Outcome.PROXY_HEADER_UNTRUSTED && listener.logAllowed()) {
        LOG.warn("listener {}: refused connection from {}: PROXY header from an untrusted address (further"
            + " refusals within a second are only counted)", listener.name(), clientIp);
      }
      finish(outcome);
    });
  }

  // ---- endings ----

  private void cancelTimer() {
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
      timer = -1;
    }
  }

  /** Ends the connection before any byte reached a backend: the client is closed. */
  private void fail(Outcome outcome) {
    if (finished) {
      return;
    }
    cancelTimer();
    finish(outcome);
    channel.close();
  }

  private void finish(Outcome outcome) {
    if (finished) {
      return;
    }
    finished = true;
    attempt.end(outcome, 0);
    if (held != null) {
      held.release();
      held = null;
    }
    listener.record(outcome, bytesIn, bytesOut);
    Backend backend = attempt.backend();
    if (backend != null && spliced) {
      backend.stats().record(outcome);
    }
    if (listener.accessLog()) {
      long micros = (System.nanoTime() - startNanos) / 1000;
      TcpAccessLog.log(listener.name(), clientIp, outcome, attempt.pool() == null ? null : attempt.pool().name(),
          backend == null ? null : backend.id(), micros, bytesIn, bytesOut);
    }
  }

  private static InetSocketAddress inet(SocketAddress a) {
    return a instanceof InetSocketAddress i && i.getAddress() != null ? i : null;
  }
}

