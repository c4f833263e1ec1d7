package io.tandem.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/http3}: the QUIC side of every listener with HTTP/3, per node and in total (connections open and
 * in handshake, accepted, refused, Retry packets, request streams, packets relayed to and from the owning node,
 * stateless resets), gathered from every node's {@code GET /api/v1/local/http3}.
 */
final class Http3Resource {
  private static final String[] SUMMED = {"open", "handshaking", "accepted", "refused", "retries", "streams",
      "relayedToOwner", "relayedFromOwner", "statelessResets"};

  private final NodeView node;
  private final PeerClient peers;

  Http3Resource(NodeView node, PeerClient peers) {
    this.node = node;
    this.peers = peers;
  }

  void local(RoutingContext ctx) {
    Json.ok(ctx, localFacts());
  }

  private JsonObject localFacts() {
    JsonObject listeners = new JsonObject();
    node.http3().get().forEach((listener, facts) -> listeners.put(listener, new JsonObject(facts)));
    return new JsonObject().put("node", node.nodeId()).put("listeners", listeners);
  }

  void cluster(RoutingContext ctx) {
    peers.getAll("/api/v1/local/http3").onSuccess(fanOut -> {
      Map<String, JsonObject> nodes = new TreeMap<>(fanOut.answers());
      nodes.put(node.nodeId(), localFacts());
      Map<String, JsonObject> byListener = new TreeMap<>();
      nodes.forEach((id, answer) -> answer.getJsonObject("listeners", new JsonObject()).forEach(e -> {
        JsonObject facts = (JsonObject) e.getValue();
        JsonObject l = byListener.computeIfAbsent(e.getKey(), k -> new JsonObject().put("listener", k)
            .put("udpPort", facts.getInteger("udpPort")).put("nodes", new JsonObject()).put("total", new JsonObject()));
        l.getJsonObject("nodes").put(id, facts);
        JsonObject total = l.getJsonObject("total");
        for (String k : SUMMED) {
          total.put(k, total.getLong(k, 0L) + facts.getLong(k, 0L));
        }
      }));
      Json.ok(ctx, new JsonObject().put("listeners", new JsonArray(new java.util.ArrayList<>(byListener.values())))
          .put("unavailable", Json.array(fanOut.unavailable())));
    }).onFailure(ctx::fail);
  }
}
