package io.tandem.admin;

import io.tandem.config.AdminConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The admin listener of one node: the routes of the admin API (documented in {@code io/tandem/admin/openapi.yaml},
 * which a test keeps equal to {@link #router()}), the probes, the metrics and the dashboard. Each resource is one
 * small class; this one only wires them to paths, methods and the token checks.
 *
 * <pre>{@code
 * AdminServer admin = new AdminServer(vertx, view);
 * admin.reloader(() -> process.reloadForAdmin());     // what POST /api/v1/config/reload runs on this node
 * int port = admin.start().await();                    // binds admin.listen (or nodes[].admin)
 * }</pre>
 */
public final class AdminServer {
  private static final Logger LOG = LogManager.getLogger(AdminServer.class);
  static final String API = "/api/v1";
  private static final long MAX_BODY = 64 * 1024;

  private final Vertx vertx;
  private final NodeView node;
  private final Router router;
  private final PeerClient peers;
  private final LocalResource local;
  private final Auth auth;
  private volatile Supplier<String> metrics;
  private volatile HttpServer server;

  public AdminServer(Vertx vertx, NodeView node) {
    this.vertx = vertx;
    this.node = node;
    this.router = Router.router(vertx);
    this.peers = new PeerClient(vertx, node);
    this.local = new LocalResource(vertx, node);
    this.auth = new Auth(() -> node.config().get().admin());
    routes();
  }

  /** Binds the admin listener; completes with the bound port. */
  public Future<Integer> start() {
    AdminConfig cfg = node.config().get().admin();
    // HTTP/1.1 only: no h2c upgrade, so that every malformed or oversized call gets the same JSON error (over an
    // upgraded HTTP/2 stream Vert.x would answer an oversized head with a bare 431 instead).
    HttpServerOptions options = new HttpServerOptions().setHost(cfg.host()).setPort(cfg.port())
        .setHttp2ClearTextEnabled(false);
    if (cfg.tls() != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(cfg.tls().cert().toString()).setKeyPath(cfg.tls().key().toString()));
    }
    return vertx.createHttpServer(options).requestHandler(router).invalidRequestHandler(AdminServer::invalid)
        .listen().map(s -> {
      server = s;
      LOG.info("admin listener serving {} on {}:{}", cfg.tls() == null ? "http" : "https", cfg.host(),
          s.actualPort());
      return s.actualPort();
    });
  }

  /**
   * A request the HTTP decoder refused (request line or headers too long, malformed head) gets the same JSON error
   * as any other bad admin call, instead of Vert.x's empty answer; the connection is closed after it.
   */
  private static void invalid(io.vertx.core.http.HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
      status = 414;
      message = "request line too long (at most " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes)";
    } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException
        || cause instanceof io.netty.handler.codec.TooLongFrameException) {
      status = 431;
      message = "request headers too large (at most " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes)";
    } else {
      status = 400;
      message = "malformed HTTP request";
    }
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close").end(new io.vertx.core.json.JsonObject().put("error", message).encode());
  }

  /** Stops accepting admin calls (first thing on shutdown). */
  public Future<Void> stop() {
    peers.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  /**
   * What {@code POST /api/v1/local/reload} (and this node's part of {@code /api/v1/config/reload}) runs: the node's
   * own reload path, re-reading its configuration source. Called on a worker thread; may block.
   */
  public void reloader(Supplier<Future<ReloadResult>> reloader) {
    local.reloader(reloader);
  }

  /** What {@code GET /metrics} answers (Prometheus text); until set, 404. */
  public void metrics(Supplier<String> scrape) {
    this.metrics = scrape;
  }

  /** The bound admin address, {@code host:port}; null before start. */
  String address() {
    HttpServer s = server;
    return s == null ? null : node.config().get().admin().host() + ":" + s.actualPort();
  }

  /** The routes, for the test that keeps the OpenAPI document true. */
  Router router() {
    return router;
  }

  private void routes() {
    ProbesResource probes = new ProbesResource(node);
    ClusterResource cluster = new ClusterResource(node, peers, local, this::address);
    PoolsResource pools = new PoolsResource(node, peers, local);
    SessionsResource sessions = new SessionsResource(node);
    ApplyWait applyWait = new ApplyWait(vertx, node, peers);
    ChangesResource changes = new ChangesResource(node, applyWait);
    RoutesResource routes = new RoutesResource(node, peers, applyWait);
    ReloadResource reload = new ReloadResource(node, peers, local);
    LimitsResource limits = new LimitsResource(node, peers);
    Http3Resource http3 = new Http3Resource(node, peers);
    DiscoveryResource discovery = new DiscoveryResource(node, peers);

    for (String prefix : new String[] {"", API}) {
      router.get(prefix + "/healthz").handler(probes::alive);
      router.get(prefix + "/readyz").handler(probes::ready);
    }
    read("/metrics", this::metrics);
    read(API + "/openapi.yaml", ctx -> ctx.response().putHeader("Content-Type", "application/yaml")
        .sendFile("io/tandem/admin/openapi.yaml"));
    read(API + "/cluster", cluster::get);
    read(API + "/pools", pools::list);
    read(API + "/pools/:pool", pools::pool);
    read(API + "/pools/:pool/backends/:id", pools::backend);
    read(API + "/sessions", sessions::binding);
    read(API + "/sessions/stats", sessions::stats);
    read(API + "/local/stats", local::stats);
    read(API + "/limits", limits::cluster);
    read(API + "/limits/rate", limits::rate);
    read(API + "/local/limits", limits::local);
    read(API + "/local/limits/rate", limits::localRate);
    read(API + "/routes", routes::cluster);
    read(API + "/local/routes", routes::local);
    read(API + "/http3", http3::cluster);
    read(API + "/local/http3", http3::local);
    read(API + "/discovery", discovery::cluster);
    read(API + "/local/discovery", discovery::local);

    String backend = API + "/pools/:pool/backends/:id";
    change(HttpMethod.POST, backend + "/drain", changes::drain);
    change(HttpMethod.POST, backend + "/enable", changes::enable);
    change(HttpMethod.POST, backend + "/disable", changes::disable);
    change(HttpMethod.PUT, backend + "/weight", changes::weight);
    change(HttpMethod.POST, API + "/pools/:pool/backends", changes::add);
    change(HttpMethod.DELETE, backend, changes::remove);
    change(HttpMethod.PUT, API + "/routes/:listener/:route/split", routes::split);
    change(HttpMethod.POST, API + "/config/reload", reload::reload);
    change(HttpMethod.POST, API + "/local/reload", local::reload);

    Dashboard dashboard = new Dashboard();
    router.get("/").handler(dashboard::serve);
    router.get("/:asset").handler(dashboard::serve);

    router.route().failureHandler(AdminServer::failed);
    router.errorHandler(404, ctx -> Json.error(ctx, 404, "no such endpoint: " + ctx.request().method() + " "
        + ctx.request().path(), null));
    router.errorHandler(405, ctx -> Json.error(ctx, 405, "method " + ctx.request().method() + " not allowed on "
        + ctx.request().path(), null));
  }

  private void read(String path, Handler<RoutingContext> handler) {
    router.get(path).handler(auth::read).handler(handler);
  }

  private void change(HttpMethod method, String path, Handler<RoutingContext> handler) {
    router.route(method, path).handler(BodyHandler.create().setBodyLimit(MAX_BODY)).handler(AuditLog::around)
        .handler(auth::change).handler(handler);
  }

  private void metrics(RoutingContext ctx) {
    Supplier<String> scrape = metrics;
    if (scrape == null) {
      Json.error(ctx, 404, "metrics are not available on this node", null);
      return;
    }
    vertx.executeBlocking(scrape::get, false).onFailure(ctx::fail).onSuccess(text -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text));
  }

  private static void failed(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof AdminException e) {
      Json.error(ctx, e.status(), e.getMessage(), e.field());
    } else if (ctx.statusCode() == 413) {
      Json.error(ctx, 413, "request body larger than " + MAX_BODY + " bytes", null);
    } else if (failure == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      Json.error(ctx, ctx.statusCode(), "bad request", null);
    } else {
      LOG.error("admin call {} {} failed", ctx.request().method(), ctx.request().path(), failure);
      Json.error(ctx, 500, "internal error: " + (failure == null ? "unknown" : failure.getMessage()), null);
    }
  }
}
