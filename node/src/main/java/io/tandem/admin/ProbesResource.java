package io.tandem.admin;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /healthz} (the process answers) and {@code GET /readyz} (every listener is bound and this node's side of
 * the cluster has quorum), for systemd, orchestrators and load balancers in front of Tandem. Never need a token.
 */
final class ProbesResource {
  private final NodeView node;

  ProbesResource(NodeView node) {
    this.node = node;
  }

  void alive(RoutingContext ctx) {
    Json.ok(ctx, new JsonObject().put("status", "alive"));
  }

  void ready(RoutingContext ctx) {
    boolean listeners = node.listenersReady().getAsBoolean();
    boolean cluster = node.shared().membership().hasQuorum();
    boolean ready = listeners && cluster;
    Json.send(ctx, ready ? 200 : 503, new JsonObject().put("ready", ready)
        .put("checks", new JsonObject().put("listeners", listeners).put("clusterState", cluster)));
  }
}
