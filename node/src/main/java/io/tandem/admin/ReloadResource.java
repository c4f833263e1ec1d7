package io.tandem.admin;

import io.tandem.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/v1/config/reload[?node=ID]}: every live node (or the one named) re-reads its configuration through
 * its own reload path, as on {@code SIGHUP}. The answer lists each node's result; a rejected file's errors name the
 * file and the field. 200 when every node reloaded, 422 when any did not.
 */
final class ReloadResource {
  private final NodeView node;
  private final PeerClient peers;
  private final LocalResource local;

  ReloadResource(NodeView node, PeerClient peers, LocalResource local) {
    this.node = node;
    this.peers = peers;
    this.local = local;
  }

  void reload(RoutingContext ctx) {
    Json.body(ctx);
    String only = ctx.queryParams().get("node");
    List<Future<JsonObject>> results = new ArrayList<>();
    if (only != null) {
      checkKnown(only);
    }
    if (only == null || only.equals(node.nodeId())) {
      results.add(local.reloadHere().map(r -> LocalResource.toJson(node.nodeId(), r)));
    }
    boolean found = only == null || only.equals(node.nodeId());
    for (PeerClient.Peer p : peers.peers()) {
      if (only == null || only.equals(p.nodeId())) {
        found = true;
        results.add(peers.call(p, HttpMethod.POST, "/api/v1/local/reload")
            .map(reply -> reply.body().containsKey("ok") ? reply.body().put("node", p.nodeId())
                : failed(p.nodeId(), "answered " + reply.status() + ": " + reply.body().getString("error")))
            .otherwise(e -> failed(p.nodeId(), "unavailable: " + e.getMessage())));
      }
    }
    if (!found) {
      results.add(Future.succeededFuture(failed(only, "not a live member")));
    }
    Future.all(results).onFailure(ctx::fail).onSuccess(all -> {
      JsonArray list = new JsonArray(all.<JsonObject>list().stream().map(o -> (Object) o).toList());
      boolean ok = all.<JsonObject>list().stream().allMatch(r -> r.getBoolean("ok", false));
      Json.send(ctx, ok ? 200 : 422, new JsonObject().put("results", list));
    });
  }

  private void checkKnown(String id) {
    ClusterConfig cluster = node.config().get().cluster();
    // With DNS discovery the only nodes known are the live members; otherwise the file's nodes list.
    boolean known = id.equals(node.nodeId())
        || (cluster != null && !cluster.discoversMembers() && cluster.nodes().stream().anyMatch(n -> n.id().equals(id)))
        || (cluster != null && cluster.discoversMembers()
            && node.shared().membership().members().stream().anyMatch(m -> m.nodeId().equals(id)));
    if (!known) {
      throw new AdminException(404, "unknown node \"" + id + "\"", "node");
    }
  }

  private static JsonObject failed(String nodeId, String message) {
    return new JsonObject().put("node", nodeId).put("ok", false).put("errors", new JsonArray()).put("error", message);
  }
}
