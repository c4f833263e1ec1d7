package io.tandem.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.tandem.config.ListenerConfig;
import io.tandem.proxy.Outcome;
import io.tandem.proxy.PerClientLimit;
import io.tandem.tls.ServerTls;
import io.tandem.util.EventLoopScheduler;
import io.tandem.util.Scheduler;
import io.tandem.util.VertxScheduler;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One event loop's share of an HTTP listener: a Vert.x {@link HttpServer} bound to the listener's address (Vert.x
 * spreads the accepted connections over the instances, and does TLS, ALPN and the HTTP/2 front). Per connection it
 * enforces the listener's connection limits and installs the slow-head guard. An HTTP/1.x connection then leaves
 * Vert.x: with Tandem's own codec ({@code node.http1-codec: tandem}) its HTTP handlers are replaced by an
 * {@link Http1Connection}; with Vert.x's, the smuggling guard decoder goes in and each request becomes an
 * {@link Exchange}, as HTTP/2 requests always do.
 */
public final class HttpListenerVerticle extends VerticleBase {
  private static final Logger LOG = LogManager.getLogger(HttpListenerVerticle.class);

  private final ListenerRuntime runtime;
  private final int port;
  private final boolean ownCodec;
  private final Set<ConnectionGuard> guards = new HashSet<>();
  private Http1Loop h1;
  private HttpServer server;
  private long sweepTimer = -1;
  private Runnable tlsRegistration;
  private Executor loop;
  private Scheduler scheduler;

  /**
   * @param port     the port to bind: the configured one, or the one the first instance got for port 0
   * @param ownCodec whether HTTP/1.x connections go to Tandem's own codec
   */
  public HttpListenerVerticle(ListenerRuntime runtime, int port, boolean ownCodec) {
    this.runtime = runtime;
    this.port = port;
    this.ownCodec = ownCodec;
  }

  static HttpServerOptions serverOptions(ListenerConfig lc, int port) {
    return new HttpServerOptions()
        .setHost(lc.host())
        .setPort(port)
        .setIdleTimeout((int) Math.max(1, lc.timeouts().idle().toMillis()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        // The request line is "METHOD SP URI SP VERSION": allow for method and version around the URI limit.
        .setMaxInitialLineLength(lc.limits().maxUriLength() + 32)
        .setMaxHeaderSize(lc.limits().maxHeaderSize())
        .setHandle100ContinueAutomatically(false)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setTcpNoDelay(true)
        .setReuseAddress(true)
        .setAcceptBacklog(1024)
        // No h2c sniffing: the HTTP/1 pipeline then exists at accept time, so the guards can be installed first.
        .setHttp2ClearTextEnabled(false)
        // WebSockets are tunnelled as bytes, never terminated: no extension handlers in the pipeline.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
  }

  @Override
  public Future<?> start() {
    ListenerConfig lc = runtime.config();
    loop = task -> context.runOnContext(v -> task.run());
    scheduler = new VertxScheduler(context);
    if (ownCodec) {
      // The data path's per-request timers go on the loop's own timer queue (see EventLoopScheduler).
      h1 = new Http1Loop(runtime, loop,
          new EventLoopScheduler(((io.vertx.core.internal.ContextInternal) context).nettyEventLoop()),
          ((io.vertx.core.internal.VertxInternal) vertx).nameResolver().nettyAddressResolverGroup());
    }
    HttpServerOptions options = serverOptions(lc, port);
    ServerTls tls = runtime.tls();
    if (tls != null) {
      tls.applyTo(options);
      options.setAlpnVersions(alpnVersions(tls.config().alpn()));
    }
    server = vertx.createHttpServer(options);
    if (tls != null) {
      HttpServer s = server;
      tlsRegistration = tls.register(ssl -> s.updateSSLOptions(ssl, true));
    }
    server.exceptionHandler(this::onServerException);
    server.connectionHandler(conn -> onConnection(conn, options));
    server.invalidRequestHandler(this::onInvalidRequest);
    server.requestHandler(this::onRequest);
    long sweepMs = Math.max(50, Math.min(1000, lc.timeouts().requestHeader().toMillis() / 4));
    sweepTimer = vertx.setPeriodic(sweepMs, id -> sweep());
    return server.listen();
  }

  private static List<HttpVersion> alpnVersions(List<String> alpn) {
    List<HttpVersion> versions = new ArrayList<>();
    for (String p : alpn) {
      versions.add(p.equals("h2") ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
    }
    return versions.isEmpty() ? List.of(HttpVersion.HTTP_1_1) : versions;
  }

  /** Connection-level failures before any request; failed TLS handshakes are counted (the connection is closed). */
  private void onServerException(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof NotSslRecordException) {
        runtime.record(Outcome.TLS_HANDSHAKE_FAILED);
        LOG.debug("TLS handshake failed on {}: {}", runtime.name(), t.toString());
        return;
      }
    }
    LOG.debug("connection error on {}: {}", runtime.name(), err.toString());
  }

  /** The bound port (after start). */
  public int actualPort() {
    return server.actualPort();
  }

  private void onConnection(HttpConnection conn, HttpServerOptions options) {
    ListenerConfig lc = runtime.config();
    int open = runtime.connections().incrementAndGet();
    if (lc.maxConnections() > 0 && open > lc.maxConnections()) {
      runtime.connections().decrementAndGet();
      runtime.record(Outcome.LISTENER_FULL);
      LOG.debug("listener {} full ({} connections), closing {}", runtime.name(), lc.maxConnections(),
          conn.remoteAddress());
      conn.close();
      return;
    }
    io.vertx.core.net.SocketAddress remote = conn.remoteAddress();
    String client = PerClientLimit.admit(runtime.clientConnections(), runtime.name(), lc.maxConnectionsPerClient(),
        remote == null || remote.hostAddress() == null ? "-" : remote.hostAddress());
    if (client == null) {
      runtime.record(Outcome.CLIENT_CONNECTIONS);
      runtime.connections().decrementAndGet();
      conn.close();
      return;
    }
    Channel ch = ((ConnectionBase) conn).channel();
    if (ch.pipeline().get("httpDecoder") == null) {
      // HTTP/2 (by ALPN): its own framing, no HTTP/1 decoder to guard; idle connections end by the idle timeout.
      conn.closeHandler(v -> {
        runtime.connections().decrementAndGet();
        PerClientLimit.release(runtime.clientConnections(), runtime.name(), client);
      });
      return;
    }
    if (ownCodec) {
      takeOver(ch, client);
      return;
    }
    ConnectionGuard guard = new ConnectionGuard(ch, System.nanoTime(), false);
    ch.attr(ConnectionGuard.KEY).set(guard);
    guards.add(guard);
    ch.pipeline().replace("httpDecoder", "httpDecoder", new SmugglingGuardDecoder(options, guard));
    conn.closeHandler(v -> {
      runtime.connections().decrementAndGet();
      guards.remove(guard);
      PerClientLimit.release(runtime.clientConnections(), runtime.name(), client);
    });
  }

  /**
   * Moves an HTTP/1.x connection from Vert.x's codec to Tandem's own: the decoder and encoder leave the pipeline and
   * an {@link Http1Connection} takes the place of Vert.x's connection handler (TLS and the idle timer stay).
   */
  private void takeOver(Channel ch, String client) {
    ConnectionGuard guard = new ConnectionGuard(ch, System.nanoTime(), true);
    guards.add(guard);
    ChannelPipeline p = ch.pipeline();
    p.remove("httpDecoder");
    p.remove("httpEncoder");
    p.replace("handler", "handler", new Http1Connection(h1, guard, Http1Connection.peer(ch)));
    ch.closeFuture().addListener(f -> {
      runtime.connections().decrementAndGet();
      guards.remove(guard);
      PerClientLimit.release(runtime.clientConnections(), runtime.name(), client);
    });
  }

  private void onRequest(HttpServerRequest req) {
    ConnectionGuard guard = guardOf(req);
    if (guard != null) {
      guard.headReceived();
      req.response().endHandler(v -> guard.awaitNextHead());
    }
    int httpsPort = runtime.config().redirectToHttps();
    if (httpsPort > 0) {
      HttpsRedirect.send(runtime, req, httpsPort);
      return;
    }
    String hsts = runtime.hsts();
    if (hsts != null) {
      req.response().putHeader(HttpsRedirect.STRICT_TRANSPORT_SECURITY, hsts);
    }
    new Exchange(runtime, req, context, loop, scheduler).start();
  }

  private static ConnectionGuard guardOf(HttpServerRequest req) {
    HttpConnection conn = req.connection();
    return conn instanceof ConnectionBase ? ((ConnectionBase) conn).channel().attr(ConnectionGuard.KEY).get() : null;
  }

  private void onInvalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    Outcome outcome;
    if (cause instanceof TooLongHttpLineException) {
      outcome = Outcome.URI_TOO_LONG;
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      outcome = Outcome.HEADERS_TOO_LARGE;
    } else {
      outcome = Outcome.BAD_REQUEST;
    }
    runtime.record(outcome);
    LOG.debug("invalid request from {} on {}: {}", req.remoteAddress(), runtime.name(),
        cause == null ? "?" : cause.getMessage());
    OwnAnswers.send(req, outcome, null, true);
  }

  private void sweep() {
    long timeout = runtime.config().timeouts().requestHeader().toNanos();
    long now = System.nanoTime();
    // A copy: answering a slow client can close its connection at once, which removes its guard.
    for (ConnectionGuard g : List.copyOf(guards)) {
      if (g.isSlow(now, timeout)) {
        runtime.record(Outcome.CLIENT_TIMEOUT);
        g.expire();
      }
    }
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    if (tlsRegistration != null) {
      tlsRegistration.run();
    }
    long drainMs = runtime.drainMillis();
    return server.shutdown(drainMs, TimeUnit.MILLISECONDS).eventually(() -> {
      if (h1 != null) {
        h1.close();
      }
      return Future.succeededFuture();
    });
  }
}
