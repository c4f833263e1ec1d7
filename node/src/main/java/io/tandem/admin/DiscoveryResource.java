package io.tandem.admin;

import io.tandem.cluster.DiscoveredSet;
import io.tandem.discovery.Discovery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /api/v1/discovery}: every pool's {@code discover:} entries: the backends last published (with those
 * leaving and their drain), the latest outcome (ok, empty or failed, and why: a failure keeps the last good set),
 * the version, and which node resolves each. The resolving node's own timing (last success, next resolution,
 * failures in a row, counts) comes from its {@code GET /api/v1/local/discovery}.
 */
final class DiscoveryResource {
  private final NodeView node;
  private final PeerClient peers;

  DiscoveryResource(NodeView node, PeerClient peers) {
    this.node = node;
    this.peers = peers;
  }

  void local(RoutingContext ctx) {
    Json.ok(ctx, localFacts());
  }

  private JsonObject localFacts() {
    JsonArray entries = new JsonArray();
    for (Discovery.Status s : node.discovery().get()) {
      entries.add(entry(s));
    }
    return new JsonObject().put("node", node.nodeId()).put("entries", entries);
  }

  void cluster(RoutingContext ctx) {
    peers.getAll("/api/v1/local/discovery").onSuccess(fanOut -> {
      // The published set is the same everywhere; the timing is the resolving node's.
      Map<String, JsonObject> entries = new LinkedHashMap<>();
      for (Object o : localFacts().getJsonArray("entries")) {
        JsonObject e = (JsonObject) o;
        entries.put(e.getString("pool") + "/" + e.getString("key"), e);
      }
      fanOut.answers().values().forEach(answer -> answer.getJsonArray("entries", new JsonArray()).forEach(o -> {
        JsonObject e = (JsonObject) o;
        String key = e.getString("pool") + "/" + e.getString("key");
        if (e.getBoolean("resolvesHere", false) && entries.containsKey(key)) {
          JsonObject mine = entries.get(key);
          for (String field : new String[] {"lastSuccess", "nextResolution", "failuresInARow", "resolutions"}) {
            mine.put(field, e.getValue(field));
          }
        }
      }));
      Json.ok(ctx, new JsonObject().put("node", node.nodeId())
          .put("entries", new JsonArray(new java.util.ArrayList<>(entries.values())))
          .put("unavailable", Json.array(fanOut.unavailable())));
    }).onFailure(ctx::fail);
  }

  private static JsonObject entry(Discovery.Status s) {
    DiscoveredSet set = s.published();
    JsonArray backends = new JsonArray();
    if (set != null) {
      for (DiscoveredSet.Endpoint e : set.backends()) {
        backends.add(new JsonObject().put("id", e.id()).put("address", e.id()).put("weight", e.weight())
            .put("priority", e.priority()).put("leaving", e.leaving())
            .put("leavingSince", e.leaving() ? Json.time(e.leavingSinceMillis()) : null)
            .put("removedAt", e.leaving() ? Json.time(e.leavingSinceMillis() + s.entry().drainGrace().toMillis())
                : null));
      }
    }
    return new JsonObject()
        .put("pool", s.pool())
        .put("key", s.entry().key())
        .put("name", s.entry().name())
        .put("type", s.entry().type().name().toLowerCase(Locale.ROOT))
        .put("port", s.entry().type() == io.tandem.config.DiscoverConfig.Type.SRV ? null : s.entry().port())
        .put("status", set == null ? "pending" : set.status().name().toLowerCase(Locale.ROOT))
        .put("stale", set != null && set.status() != DiscoveredSet.Status.OK)
        .put("error", set == null ? null : set.error())
        .put("backends", backends)
        .put("version", s.version())
        .put("changed", set == null ? null : Json.time(set.changedMillis()))
        .put("publishedBy", set == null ? null : set.resolver())
        .put("resolver", s.owner())
        .put("resolvesHere", s.resolving())
        .put("lastSuccess", s.lastSuccessMillis() == 0 ? null : Json.time(s.lastSuccessMillis()))
        .put("nextResolution", s.nextResolutionMillis() == 0 ? null : Json.time(s.nextResolutionMillis()))
        .put("failuresInARow", s.failures())
        .put("resolutions", new JsonObject().put("ok", s.resolutionsOk()).put("empty", s.resolutionsEmpty())
            .put("failed", s.resolutionsFailed()))
        .put("minInterval", s.entry().minInterval().toMillis())
        .put("maxInterval", s.entry().maxInterval().toMillis())
        .put("drainGrace", s.entry().drainGrace().toMillis());
  }
}
