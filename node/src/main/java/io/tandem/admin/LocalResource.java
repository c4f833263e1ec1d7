package io.tandem.admin;

import io.tandem.util.Outcome;
import io.tandem.upstream.Backend;
import io.tandem.upstream.BackendStats;
import io.tandem.upstream.PoolSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/**
 * This node's own facts, which the other nodes gather when they answer for the cluster:
 * {@code GET /api/v1/local/stats} (per backend requests by outcome, latency buckets, in-flight count, passive
 * ejection; the applied state version) and {@code POST /api/v1/local/reload} (re-read this node's configuration).
 */
final class LocalResource {
  private final Vertx vertx;
  private final NodeView node;
  private volatile Supplier<Future<ReloadResult>> reloader;

  LocalResource(Vertx vertx, NodeView node) {
    this.vertx = vertx;
    this.node = node;
  }

  void reloader(Supplier<Future<ReloadResult>> reloader) {
    this.reloader = reloader;
  }

  void stats(RoutingContext ctx) {
    Json.ok(ctx, stats());
  }

  /** This node's stats: {@code {"node", "version", "startedAt", "appliedVersion", "pools": {pool: {id: {...}}}}}. */
  JsonObject stats() {
    JsonObject pools = new JsonObject();
    for (PoolSnapshot pool : node.registry().snapshot().pools().values()) {
      JsonObject backends = new JsonObject();
      for (Backend b : pool.backends()) {
        backends.put(b.id(), backend(b));
      }
      pools.put(pool.name(), backends);
    }
    return new JsonObject().put("node", node.nodeId()).put("version", node.version())
        .put("startedAt", Json.time(node.startedAtMillis()))
        .put("appliedVersion", node.registry().appliedVersion())
        .put("pools", pools);
  }

  private static JsonObject backend(Backend b) {
    BackendStats st = b.stats();
    JsonObject perOutcome = new JsonObject();
    long requests = 0;
    for (Outcome o : Outcome.values()) {
      long n = st.count(o);
      if (n > 0) {
        perOutcome.put(o.label(), n);
        requests += n;
      }
    }
    JsonArray buckets = new JsonArray();
    for (long c : st.latency().snapshot().counts()) {
      buckets.add(c);
    }
    return new JsonObject().put("active", st.active()).put("requests", requests).put("perOutcome", perOutcome)
        .put("latencyBuckets", buckets).put("passiveEjected", b.ejected());
  }

  /** Re-reads this node's configuration through the node's own reload path (what SIGHUP does). */
  void reload(RoutingContext ctx) {
    reloadHere().onComplete(ar -> {
      JsonObject result = ar.succeeded() ? toJson(node.nodeId(), ar.result())
          : toJson(node.nodeId(), ReloadResult.failed(String.valueOf(ar.cause().getMessage())));
      Json.send(ctx, result.getBoolean("ok") ? 200 : 422, result);
    });
  }

  /** Runs the reload off the event loop (it reads files); never fails, a problem is a failed result. */
  Future<ReloadResult> reloadHere() {
    Supplier<Future<ReloadResult>> r = reloader;
    if (r == null) {
      return Future.succeededFuture(ReloadResult.failed("this node was started without a configuration source"));
    }
    return vertx.executeBlocking(r::get, false).compose(f -> f)
        .recover(e -> Future.succeededFuture(ReloadResult.failed(String.valueOf(e.getMessage()))));
  }

  static JsonObject toJson(String nodeId, ReloadResult r) {
    JsonObject json = new JsonObject().put("node", nodeId).put("ok", r.ok());
    if (!r.ok()) {
      JsonArray errors = new JsonArray();
      r.errors().forEach(e -> errors.add(new JsonObject().put("file", e.file()).put("field", e.path())
          .put("message", e.message())));
      json.put("errors", errors).put("error", r.message());
    }
    return json;
  }
}
