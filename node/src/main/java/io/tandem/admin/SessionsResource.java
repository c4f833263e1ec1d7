package io.tandem.admin;

import io.tandem.upstream.PoolSnapshot;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/v1/sessions?pool=..&key=..} (one affinity binding, from the shared table: a binding made through
 * any node is found on every node) and {@code GET /api/v1/sessions/stats} (bindings per pool as this node knows them).
 */
final class SessionsResource {
  private final NodeView node;

  SessionsResource(NodeView node) {
    this.node = node;
  }

  void binding(RoutingContext ctx) {
    String pool = required(ctx, "pool");
    String key = required(ctx, "key");
    PoolSnapshot snapshot = PoolsResource.pool(node, pool);
    Future.fromCompletionStage(node.shared().affinity().binding(snapshot.name(), key),
        ctx.vertx().getOrCreateContext()).onSuccess(found -> {
      if (found.isEmpty()) {
        Json.error(ctx, 404, "no binding for key \"" + key + "\" in pool \"" + pool + "\"", null);
        return;
      }
      Json.ok(ctx, new JsonObject().put("pool", pool).put("key", key).put("backend", found.get().backendId())
          .put("since", Json.time(found.get().sinceMillis()))
          .put("lastUsed", Json.time(found.get().lastUsedMillis())));
    }).onFailure(ctx::fail);
  }

  void stats(RoutingContext ctx) {
    JsonArray pools = new JsonArray();
    for (var p : node.registry().snapshot().config().pools()) {
      pools.add(new JsonObject().put("pool", p.name()).put("entries", node.shared().affinity().size(p.name())));
    }
    Json.ok(ctx, new JsonObject().put("pools", pools));
  }

  private static String required(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isBlank()) {
      throw AdminException.badField(name, "query parameters pool and key are required; " + name + " is missing");
    }
    return value;
  }
}
