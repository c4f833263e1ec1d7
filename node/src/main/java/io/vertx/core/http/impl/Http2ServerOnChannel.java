package io.vertx.core.http.impl;

import io.netty.channel.ChannelHandler;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

/**
 * Tandem's one class in Vert.x's package: Vert.x's HTTP/2 server side for a channel that Vert.x did not accept. An h2c
 * listener accepts on Tandem's own socket so that an HTTP/1.x connection reaches Tandem's codec before its first byte;
 * a connection that opens with the HTTP/2 preface is then given the handler a Vert.x HttpServer would have put on
 * it, built from the same options ({@code initialSettings}, connection window, RST flood guard), so that its requests
 * arrive as {@link HttpServerRequest}s like those of a TLS listener's HTTP/2 connections.
 *
 * <p>Why here: Vert.x builds that handler only in package-private code ({@code HttpServerConnectionInitializer}), and
 * runs its h2c detection only on connections its own server accepted, where the HTTP/1.x pipeline would decode the
 * first request before any connection handler runs. A class in the package is checked by the compiler against the
 * Vert.x version in the build, where reflection would fail at run time; {@code H2cListenerTest} covers it.
 */
public final class Http2ServerOnChannel {
  private final HttpServerConnectionInitializer initializer;

  /**
   * @param context     the event-loop context the connections run on (their channels must be on its event loop)
   * @param options     the server options (HTTP/2 settings and guards)
   * @param origin      {@code http://host:port}, the origin of absolute request URIs
   * @param requests    receives each request
   * @param connections receives each connection once the client's SETTINGS arrived
   * @param errors      receives what fails on a connection before a connection handler set its own
   */
  public Http2ServerOnChannel(Vertx vertx, Context context, HttpServerOptions options, String origin,
      Handler<HttpServerRequest> requests, Handler<HttpConnection> connections, Handler<Throwable> errors) {
    VertxInternal vx = (VertxInternal) vertx;
    ContextInternal ctx = (ContextInternal) context;
    // Never listens: it only answers the initializer's questions (no metrics, requests accepted).
    HttpServerImpl server = new HttpServerImpl(vx, options);
    HttpServerConnectionHandler handler =
        new HttpServerConnectionHandler(server, requests, null, null, null, connections, errors);
    initializer = new HttpServerConnectionInitializer(ctx, ctx.threadingModel(), ctx::duplicate, server, vx, options,
        origin, handler, errors, null);
  }

  /** A new HTTP/2 server handler for one channel, to add last to its pipeline before the client's preface is read. */
  public ChannelHandler handler() {
    return initializer.buildHttp2ConnectionHandler();
  }
}
