package io.tandem.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.tandem.config.ListenerConfig;
import io.tandem.proxy.PerClientLimit;
import io.tandem.tls.ServerTls;
import io.tandem.util.Clock;
import io.tandem.util.EventLoopScheduler;
import io.tandem.util.Outcome;
import io.tandem.util.Scheduler;
import io.tandem.util.VertxScheduler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http2ServerOnChannel;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.ShutdownEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One event loop's share of an HTTP listener. A plain-text listener's connections come from its {@link HttpAcceptor}
 * (a bare Netty socket shared by the instances) and go straight to an {@link Http1Connection}, Tandem's own codec; on
 * an h2c listener an {@link H2cPreface} first looks for the HTTP/2 preface, and a connection that opens with it gets
 * Vert.x's HTTP/2 server handler instead ({@link Http2ServerOnChannel}), its requests becoming {@link Exchange}s. A
 * TLS listener is a Vert.x {@link HttpServer} (Vert.x spreads the accepted connections over the instances, and does
 * TLS, ALPN, SNI and the HTTP/2 front): an HTTP/1.x connection then leaves Vert.x, its HTTP handlers replaced by an
 * {@link Http1Connection}; an HTTP/2 connection stays, and each of its requests becomes an {@link Exchange}. Per
 * connection it enforces the listener's connection limits; the slow-head and idle time-outs are one periodic sweep.
 * The Vert.x server's options are {@link HttpServerSetup}'s, the failures on Vert.x's side are {@link FrontErrors}',
 * and a TLS listener's HTTP/3 socket is bound by {@link Http3Binding}.
 */
public final class HttpListenerVerticle extends VerticleBase {
  private static final Logger LOG = LogManager.getLogger(HttpListenerVerticle.class);

  private final ListenerRuntime runtime;
  private final int port;
  private final Set<Http1Connection> connections = new HashSet<>();
  /** An h2c listener's HTTP/2 connections (on the own socket; Vert.x tracks those of its own servers). */
  private final Set<Channel> http2Channels = new HashSet<>();
  private Http2ServerOnChannel h2c;
  private Http1Loop h1;
  private HttpServer server;
  private HttpAcceptor acceptor;
  private io.netty.channel.EventLoop nettyLoop;
  private int boundPort = -1;
  private Promise<Void> drained;
  private long sweepTimer = -1;
  private Runnable tlsRegistration;
  private Executor loop;
  private Scheduler scheduler;
  private io.tandem.proxy.h3.QuicServer quic;

  /** @param port the port to bind: the configured one, or the one the first instance got for port 0 */
  public HttpListenerVerticle(ListenerRuntime runtime, int port) {
    this.runtime = runtime;
    this.port = port;
    // The first instance made runs the HTTP/3 socket: its TCP port is the one the node reports (port 0 included).
    runtime.claimHttp3(this);
  }

  @Override
  public Future<?> start() {
    ListenerConfig lc = runtime.config();
    loop = task -> context.runOnContext(v -> task.run());
    scheduler = new VertxScheduler(context);
    nettyLoop = ((ContextInternal) context).nettyEventLoop();
    VertxInternal vx = (VertxInternal) vertx;
    // The data path's per-request timers go on the loop's own timer queue (see EventLoopScheduler).
    h1 = new Http1Loop(runtime, loop, new EventLoopScheduler(nettyLoop), Clock.SYSTEM,
        vx.nameResolver().nettyAddressResolverGroup());
    long sweepMs = Math.max(50, Math.min(1000, lc.timeouts().requestHeader().toMillis() / 4));
    sweepTimer = vertx.setPeriodic(sweepMs, id -> sweep());
    ServerTls tls = runtime.tls();
    if (tls == null) {
      if (lc.h2c()) {
        h2c = new Http2ServerOnChannel(vertx, context, HttpServerSetup.serverOptions(lc, port),
            "http://" + lc.host() + ":" + port, this::onRequest,
            conn -> conn.exceptionHandler(err -> FrontErrors.onHttp2Error(runtime, conn, err)),
            err -> FrontErrors.onServerException(runtime, err));
      }
      acceptor = runtime.acceptor(port);
      Promise<Void> listening = Promise.promise();
      acceptor.join(vx.acceptorEventLoopGroup(), vx.transport().serverChannelFactory(false), nettyLoop,
          this::onAccepted).whenComplete((p, err) -> context.runOnContext(v -> {
            if (err != null) {
              listening.fail(err);
            } else {
              boundPort = p;
              listening.complete();
            }
          }));
      return listening.future();
    }
    HttpServerOptions options = HttpServerSetup.serverOptions(lc, port);
    tls.applyTo(options);
    options.setAlpnVersions(HttpServerSetup.alpnVersions(tls.config().alpn()));
    server = vertx.createHttpServer(options);
    HttpServer s = server;
    tlsRegistration = tls.register(ssl -> s.updateSSLOptions(ssl, true));
    server.exceptionHandler(err -> FrontErrors.onServerException(runtime, err));
    server.connectionHandler(this::onConnection);
    server.invalidRequestHandler(req -> FrontErrors.onInvalidRequest(runtime, req));
    server.requestHandler(this::onRequest);
    return server.listen().compose(this::startHttp3);
  }

  /**
   * A TLS listener with {@code http3}: the first instance binds the UDP socket (on its event loop), on the TCP
   * port's number unless another is configured, and the listener starts advertising it with {@code Alt-Svc}.
   */
  private Future<HttpServer> startHttp3(HttpServer started) {
    if (runtime.config().http3() == null || !runtime.claimHttp3(this)) {
      return Future.succeededFuture(started);
    }
    return Http3Binding.bind(runtime, started.actualPort(), context, (VertxInternal) vertx, nettyLoop, h1, this)
        .map(q -> {
          quic = q;
          return started;
        });
  }

  /** The bound port (after start). */
  public int actualPort() {
    return server != null ? server.actualPort() : boundPort;
  }

  /**
   * Counts a new connection against the listener's limits.
   *
   * @return the client's key for the per-client limit (to release when the connection closes), or null when a limit
   *     refused it (counted; the caller closes it)
   */
  private String admit(Channel ch) {
    ListenerConfig lc = runtime.config();
    int open = runtime.connections().incrementAndGet();
    if (lc.maxConnections() > 0 && open > lc.maxConnections()) {
      runtime.connections().decrementAndGet();
      runtime.record(Outcome.LISTENER_FULL);
      LOG.debug("listener {} full ({} connections), closing {}", runtime.name(), lc.maxConnections(),
          ch.remoteAddress());
      return null;
    }
    String client = PerClientLimit.admit(runtime.clientConnections(), runtime.name(), lc.maxConnectionsPerClient(),
        Http1Connection.peer(ch));
    if (client == null) {
      runtime.record(Outcome.CLIENT_CONNECTIONS);
      runtime.connections().decrementAndGet();
    }
    return client;
  }

  /** A connection from this listener's own socket (plain text): HTTP/1.x from its first byte. */
  private void onAccepted(Channel ch) {
    String client = admit(ch);
    if (client == null) {
      ch.close();
      return;
    }
    install(ch, client, false);
  }

  /** A connection that Vert.x accepted (TLS): HTTP/2 stays with Vert.x, HTTP/1.x moves to Tandem's codec. */
  private void onConnection(HttpConnection conn) {
    Channel ch = ((ConnectionBase) conn).channel();
    String client = admit(ch);
    if (client == null) {
      conn.close();
      return;
    }
    if (ch.pipeline().get("httpDecoder") == null) {
      // HTTP/2 (by ALPN): its own framing, no HTTP/1 decoder to guard; idle connections end by the idle timeout.
      conn.exceptionHandler(err -> FrontErrors.onHttp2Error(runtime, conn, err));
      conn.closeHandler(v -> {
        runtime.connections().decrementAndGet();
        PerClientLimit.release(runtime.clientConnections(), runtime.name(), client);
      });
      return;
    }
    takeOver(ch, client);
  }

  /**
   * Moves an HTTP/1.x connection from Vert.x's codec to Tandem's own: the decoder, encoder, idle timer and chunked
   * writer leave the pipeline and an {@link Http1Connection} takes the place of Vert.x's connection handler (TLS
   * stays).
   */
  private void takeOver(Channel ch, String client) {
    ChannelPipeline p = ch.pipeline();
    p.remove("httpDecoder");
    p.remove("httpEncoder");
    // Vert.x's idle timer adds a promise and a listener to every write, and its chunked-write handler queues every
    // write on TLS connections: the connection sweep does the idle time-out instead, and nothing here writes chunks.
    if (p.get("idle") != null) {
      p.remove("idle");
    }
    if (p.get("chunkedWriter") != null) {
      p.remove("chunkedWriter");
    }
    install(ch, client, true);
  }

  /** Puts an {@link Http1Connection} on the channel: in place of Vert.x's handler, or as its only handler. */
  private void install(Channel ch, String client, boolean replace) {
    Http1Connection conn = new Http1Connection(h1, new ConnectionGuard(ch, h1.clock()),
        Http1Connection.peer(ch));
    if (replace) {
      ch.pipeline().replace("handler", "handler", conn);
    } else {
      ch.pipeline().addLast("handler", conn);
      if (h2c != null) {
        ch.pipeline().addBefore("handler", "h2cPreface", new H2cPreface(ctx -> toHttp2(ch, conn)));
      }
    }
    connections.add(conn);
    ch.closeFuture().addListener(f -> {
      runtime.connections().decrementAndGet();
      connections.remove(conn);
      http2Channels.remove(ch);
      if (drained != null && connections.isEmpty() && http2Channels.isEmpty()) {
        drained.tryComplete();
      }
      PerClientLimit.release(runtime.clientConnections(), runtime.name(), client);
    });
  }

  /**
   * An h2c listener's connection opened with the HTTP/2 preface: Vert.x's HTTP/2 handler replaces the HTTP/1.x one,
   * with the idle time-out Vert.x's own servers have (the sweep watches HTTP/1.x connections only).
   */
  private void toHttp2(Channel ch, Http1Connection conn) {
    connections.remove(conn);
    http2Channels.add(ch);
    ChannelPipeline p = ch.pipeline();
    p.remove(conn);
    long idleMs = runtime.config().timeouts().idle().toMillis();
    p.addLast("idle", new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS));
    p.addLast("handler", h2c.handler());
  }

  /** An HTTP/2 request (HTTP/1.x connections never reach Vert.x's request handler). */
  private void onRequest(HttpServerRequest req) {
    int httpsPort = runtime.config().redirectToHttps();
    if (httpsPort > 0) {
      HttpsRedirect.send(runtime, req, httpsPort);
      return;
    }
    String hsts = runtime.hsts();
    if (hsts != null) {
      req.response().putHeader(HttpsRedirect.STRICT_TRANSPORT_SECURITY, hsts);
    }
    new Exchange(runtime, req, context, loop, scheduler, h1).start();
  }

  /** Answers 408 to connections whose head is too slow, and closes those idle for longer than the idle time-out. */
  private void sweep() {
    ListenerConfig lc = runtime.config();
    long headTimeout = lc.timeouts().requestHeader().toNanos();
    long idleTimeout = lc.timeouts().idle().toNanos();
    long now = h1.clock().nanoTime();
    // A copy: answering a slow client can close its connection at once, which removes it from the set.
    for (Http1Connection c : List.copyOf(connections)) {
      if (c.guard().isSlow(now, headTimeout)) {
        runtime.record(Outcome.CLIENT_TIMEOUT);
        c.guard().expire();
      } else if (c.idleNanos(now) >= idleTimeout) {
        c.channel().close();
      }
    }
  }

  /**
   * Stops accepting and drains: idle connections close at once, busy ones after their answer, and whatever is still
   * open after the drain time is closed.
   */
  @Override
  public Future<?> stop() {
    if (tlsRegistration != null) {
      tlsRegistration.run();
    }
    long drainMs = runtime.drainMillis();
    Future<?> stopped;
    if (acceptor != null) {
      acceptor.leave(nettyLoop);
      stopped = drainOwn(drainMs);
    } else {
      stopped = server.shutdown(drainMs, TimeUnit.MILLISECONDS);
    }
    if (quic != null) {
      runtime.releaseHttp3(this);
      Promise<Void> quicDrained = Promise.promise();
      quic.drain(drainMs).whenComplete((v, err) -> quicDrained.tryComplete());
      stopped = Future.all(stopped, quicDrained.future());
    }
    return stopped.eventually(() -> {
      if (sweepTimer >= 0) {
        vertx.cancelTimer(sweepTimer);
      }
      h1.close();
      return Future.succeededFuture();
    });
  }

  /** The drain of the connections from this listener's own socket (Vert.x's shutdown does it for its server). */
  private Future<Void> drainOwn(long drainMs) {
    drained = Promise.promise();
    for (Http1Connection c : List.copyOf(connections)) {
      c.drain();
    }
    for (Channel ch : List.copyOf(http2Channels)) {
      // Vert.x's HTTP/2 handler sends GOAWAY and closes once the open streams are done (at once when there are none).
      ch.pipeline().fireUserEventTriggered(new ShutdownEvent(drainMs, TimeUnit.MILLISECONDS));
    }
    if (connections.isEmpty() && http2Channels.isEmpty()) {
      drained.tryComplete();
      return drained.future();
    }
    long deadline = vertx.setTimer(Math.max(1, drainMs), id -> {
      for (Http1Connection c : List.copyOf(connections)) {
        c.channel().close();
      }
      for (Channel ch : List.copyOf(http2Channels)) {
        ch.close();
      }
      drained.tryComplete();
    });
    return drained.future().onComplete(v -> vertx.cancelTimer(deadline));
  }
}
