package io.tandem.admin;

import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code GET /api/v1/pools}, {@code /pools/{pool}} and {@code /pools/{pool}/backends/{id}}: every backend with its
 * cluster health verdict (and each checking node's last result), passive ejections per node, admin state, weight,
 * connections per node and in total, requests and errors per outcome, and latency percentiles over every node.
 */
final class PoolsResource {
  private final NodeView node;
  private final PeerClient peers;
  private final LocalResource local;

  PoolsResource(NodeView node, PeerClient peers, LocalResource local) {
    this.node = node;
    this.peers = peers;
    this.local = local;
  }

  void list(RoutingContext ctx) {
    answer(ctx, json -> {
      JsonArray pools = new JsonArray();
      var snapshot = node.registry().snapshot();
      for (var p : snapshot.config().pools()) {
        pools.add(json.pool(snapshot.pool(p.name())));
      }
      return new JsonObject().put("pools", pools);
    }, true);
  }

  void pool(RoutingContext ctx) {
    PoolSnapshot pool = pool(node, ctx.pathParam("pool"));
    answer(ctx, json -> json.pool(pool), true);
  }

  void backend(RoutingContext ctx) {
    PoolSnapshot pool = pool(node, ctx.pathParam("pool"));
    Backend b = backend(pool, ctx.pathParam("id"));
    answer(ctx, json -> json.backend(pool, b), false);
  }

  /** The pool named {@code name} in the snapshot in force; 404 when there is none. */
  static PoolSnapshot pool(NodeView node, String name) {
    PoolSnapshot pool = node.registry().snapshot().pool(name);
    if (pool == null) {
      throw new AdminException(404, "unknown pool \"" + name + "\"");
    }
    return pool;
  }

  /** The backend {@code id} of {@code pool}; 404 when there is none. */
  static Backend backend(PoolSnapshot pool, String id) {
    Backend b = pool.byId().get(id);
    if (b == null) {
      throw new AdminException(404, "unknown backend \"" + id + "\" in pool \"" + pool.name() + "\"");
    }
    return b;
  }

  private void answer(RoutingContext ctx, Function<BackendJson, JsonObject> build, boolean topLevelUnavailable) {
    peers.getAll("/api/v1/local/stats").onSuccess(fanOut -> {
      Map<String, JsonObject> stats = new HashMap<>(fanOut.answers());
      stats.put(node.nodeId(), local.stats());
      JsonObject body = build.apply(new BackendJson(node, stats, fanOut.unavailable()));
      if (topLevelUnavailable) {
        body.put("unavailable", Json.array(fanOut.unavailable()));
      }
      Json.ok(ctx, body);
    }).onFailure(ctx::fail);
  }
}
