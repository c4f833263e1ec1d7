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
 * enforces the listener's connection limits. An HTTP/1.x connection then leaves Vert.x: its HTTP handlers are
 * replaced by an {@link Http1Connection} (Tandem's own codec) with a slow-head guard; an HTTP/2 connection stays, and
 * each of its requests becomes an {@link Exchange}.
 */
public final class HttpListenerVerticle extends VerticleBase {
  private static final Logger LOG = LogManager.getLogger(HttpListenerVerticle.class);

  private final ListenerRuntime runtime;
  private final int port;
  private final Set<Http1Connection> connections = new HashSet<>();
  private Http1Loop h1;
  private HttpServer server;
  private long sweepTimer = -1;
  private Runnable tlsRegistration;
  private Executor loop;
  private Scheduler scheduler;

  /** @param port the port to bind: the configured one, or the one the first instance got for port 0 */
  public HttpListenerVerticle(ListenerRuntime runtime, int port) {
    this.runtime = runtime;
    this.port = port;
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
    // The data path's per-request timers go on the loop's own timer queue (see EventLoopScheduler).
    h1 = new Http1Loop(runtime, loop,
        new EventLoopScheduler(((io.vertx.core.internal.ContextInternal) context).nettyEventLoop()),
        ((io.vertx.core.internal.VertxInternal) vertx).nameResolver().nettyAddressResolverGroup());
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
    server.connectionHandler(this::onConnection);
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

  private void onConnection(HttpConnection conn) {
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
    Http1Connection conn = new Http1Connection(h1, new ConnectionGuard(ch, System.nanoTime()),
        Http1Connection.peer(ch));
    p.replace("handler", "handler", conn);
    connections.add(conn);
    ch.closeFuture().addListener(f -> {
      runtime.connections().decrementAndGet();
      connections.remove(conn);
      PerClientLimit.release(runtime.clientConnections(), runtime.name(), client);
    });
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
    new Exchange(runtime, req, context, loop, scheduler).start();
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

  /** Answers 408 to connections whose head is too slow, and closes those idle for longer than the idle time-out. */
  private void sweep() {
    ListenerConfig lc = runtime.config();
    long headTimeout = lc.timeouts().requestHeader().toNanos();
    long idleTimeout = lc.timeouts().idle().toNanos();
    long now = System.nanoTime();
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
      h1.close();
      return Future.succeededFuture();
    });
  }
}
