package io.tandem.admin;

import io.tandem.config.ListenerConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.TandemConfig;
import io.tandem.limits.NodeLimits;
import io.tandem.limits.RateLimiter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code GET /api/v1/limits}: the cluster's overload protection, gathered from every node's
 * {@code /api/v1/local/limits}: per rate-limit rule its settings and the keys tracked, admitted and refused per node
 * and in total; per pool the circuit breaker on each node, the retry budget and the backends in slow start; per
 * listener the clients with the most open connections; refusals per reason. {@code GET /api/v1/limits/rate} tells one
 * key's tokens left on each node. Counts are {@code {"total": n, "perNode": {"n1": n}}} like the pools' answers.
 */
final class LimitsResource {
  private final NodeView node;
  private final PeerClient peers;

  LimitsResource(NodeView node, PeerClient peers) {
    this.node = node;
    this.peers = peers;
  }

  void local(RoutingContext ctx) {
    Json.ok(ctx, LocalLimits.of(node));
  }

  void cluster(RoutingContext ctx) {
    peers.getAll("/api/v1/local/limits").onSuccess(fanOut -> {
      Map<String, JsonObject> nodes = new TreeMap<>(fanOut.answers());
      nodes.put(node.nodeId(), LocalLimits.of(node));
      TandemConfig cfg = node.config().get();
      Json.ok(ctx, new JsonObject().put("rules", rules(nodes)).put("pools", pools(cfg, nodes))
          .put("clients", clients(cfg, nodes)).put("refusals", refusals(nodes))
          .put("unavailable", Json.array(fanOut.unavailable())));
    }).onFailure(ctx::fail);
  }

  /** This node's fill of one key's bucket: {@code {"node", "tokens", "tracked", "fullInMillis"}}. */
  void localRate(RoutingContext ctx) {
    Json.ok(ctx, rateHere(ctx, limiter(ctx)));
  }

  void rate(RoutingContext ctx) {
    RateLimiter limiter = limiter(ctx);
    String listener = param(ctx, "listener");
    String rule = param(ctx, "rule");
    String key = param(ctx, "key");
    String query = "?listener=" + encode(listener) + "&rule=" + encode(rule) + "&key=" + encode(key);
    peers.getAll("/api/v1/local/limits/rate" + query).onSuccess(fanOut -> {
      Map<String, JsonObject> answers = new TreeMap<>(fanOut.answers());
      answers.put(node.nodeId(), rateHere(ctx, limiter));
      JsonObject perNode = new JsonObject();
      answers.forEach((id, a) -> {
        JsonObject fill = a.copy();
        fill.remove("node");
        perNode.put(id, fill);
      });
      Json.ok(ctx, new JsonObject().put("listener", listener).put("rule", rule).put("key", key)
          .put("burst", limiter.rule().burst()).put("perNode", perNode)
          .put("unavailable", Json.array(fanOut.unavailable())));
    }).onFailure(ctx::fail);
  }

  private JsonObject rateHere(RoutingContext ctx, RateLimiter limiter) {
    long now = node.limits().rateLimits().clock().nanoTime();
    String key = param(ctx, "key");
    return new JsonObject().put("node", node.nodeId()).put("tokens", limiter.tokens(key, now))
        .put("tracked", limiter.tracks(key)).put("fullInMillis", limiter.nanosUntilFull(key, now) / 1_000_000);
  }

  /** The rule the query names; 400 without listener, rule or key, 404 for an unknown rule. */
  private RateLimiter limiter(RoutingContext ctx) {
    String listener = param(ctx, "listener");
    String rule = param(ctx, "rule");
    param(ctx, "key");
    NodeLimits limits = node.limits();
    RateLimiter limiter = limits == null ? null : limits.rateLimits().rule(listener, rule);
    if (limiter == null) {
      throw new AdminException(404, "unknown rate-limit rule \"" + rule + "\" on listener \"" + listener + "\"");
    }
    return limiter;
  }

  private static String param(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isEmpty()) {
      throw AdminException.badField(name, "query parameters listener, rule and key are required; " + name
          + " is missing");
    }
    return value;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ---- aggregation over the nodes' local answers ----

  private static JsonArray rules(Map<String, JsonObject> nodes) {
    Map<String, JsonObject> rules = new LinkedHashMap<>();
    nodes.forEach((id, local) -> local.getJsonArray("rules").forEach(o -> {
      JsonObject r = (JsonObject) o;
      JsonObject rule = rules.computeIfAbsent(r.getString("listener") + '\u0000' + r.getString("rule"), k -> {
        JsonObject settings = r.copy();
        for (String counted : new String[] {"keysTracked", "admitted", "refused", "overflowed"}) {
          settings.put(counted, counted());
        }
        return settings;
      });
      for (String counted : new String[] {"keysTracked", "admitted", "refused", "overflowed"}) {
        add(rule.getJsonObject(counted), id, r.getLong(counted, 0L));
      }
    }));
    return new JsonArray(new java.util.ArrayList<>(rules.values()));
  }

  private static JsonArray pools(TandemConfig cfg, Map<String, JsonObject> nodes) {
    JsonArray out = new JsonArray();
    for (PoolConfig p : cfg.pools()) {
      Map<String, JsonObject> guards = perNode(nodes, "pools", "pool", p.name());
      PoolConfig.CircuitBreaker cb = p.circuitBreaker();
      JsonObject breaker = new JsonObject().put("enabled", cb != null)
          .put("consecutiveFailures", cb == null ? null : cb.consecutiveFailures())
          .put("openTimeMillis", cb == null ? null : cb.openTime().toMillis());
      JsonArray open = new JsonArray();
      JsonObject states = new JsonObject();
      guards.forEach((id, g) -> {
        states.put(id, new JsonObject().put("state", g.getString("breaker")).put("since", g.getString("breakerSince")));
        if (!"closed".equals(g.getString("breaker"))) {
          open.add(id);
        }
      });
      breaker.put("open", open).put("perNode", states).put("refusals", sum(guards, g -> g.getLong("breakerRefusals")));
      JsonObject budget = new JsonObject().put("percent", p.retryBudget().percent())
          .put("minRetries", p.retryBudget().minRetries())
          .put("retriesInFlight", sum(guards, g -> g.getLong("retriesInFlight")))
          .put("allowed", sum(guards, g -> g.getLong("retriesAllowed")))
          .put("denied", sum(guards, g -> g.getLong("retriesDenied")));
      Map<String, JsonObject> warming = new TreeMap<>();
      guards.forEach((id, g) -> g.getJsonObject("slowStart", new JsonObject()).forEach(e ->
          warming.computeIfAbsent(e.getKey(), b -> new JsonObject().put("backend", b).put("perNode", new JsonObject()))
              .getJsonObject("perNode").put(id, e.getValue())));
      JsonObject slowStart = new JsonObject()
          .put("windowMillis", p.slowStart() == null ? null : p.slowStart().toMillis())
          .put("backends", new JsonArray(new java.util.ArrayList<>(warming.values())));
      out.add(new JsonObject().put("pool", p.name()).put("circuitBreaker", breaker).put("retryBudget", budget)
          .put("slowStart", slowStart));
    }
    return out;
  }

  private static JsonArray clients(TandemConfig cfg, Map<String, JsonObject> nodes) {
    JsonArray out = new JsonArray();
    for (ListenerConfig lc : cfg.listeners()) {
      Map<String, JsonObject> perAddress = new TreeMap<>();
      perNode(nodes, "clients", "listener", lc.name()).forEach((id, c) -> c.getJsonObject("top").forEach(e ->
          add(perAddress.computeIfAbsent(e.getKey(), a -> counted()), id, ((Number) e.getValue()).longValue())));
      JsonArray top = new JsonArray();
      perAddress.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue().getLong("total"), a.getValue().getLong("total")))
          .limit(LocalLimits.TOP_CLIENTS)
          .forEach(e -> top.add(new JsonObject().put("address", e.getKey()).put("connections", e.getValue())));
      out.add(new JsonObject().put("listener", lc.name())
          .put("maxConnectionsPerClient", lc.maxConnectionsPerClient()).put("top", top));
    }
    return out;
  }

  /** {@code [{"reason", "total", "perNode", "perListener"}]}, by reason. */
  private static JsonArray refusals(Map<String, JsonObject> nodes) {
    Map<String, JsonObject> reasons = new TreeMap<>();
    nodes.forEach((id, local) -> local.getJsonObject("refusals").forEach(l -> ((JsonObject) l.getValue())
        .forEach(r -> {
          long n = ((Number) r.getValue()).longValue();
          JsonObject reason = reasons.computeIfAbsent(r.getKey(), k -> counted().put("perListener", new JsonObject()));
          add(reason, id, n);
          JsonObject perListener = reason.getJsonObject("perListener");
          perListener.put(l.getKey(), perListener.getLong(l.getKey(), 0L) + n);
        })));
    JsonArray out = new JsonArray();
    reasons.forEach((r, json) -> out.add(new JsonObject().put("reason", r).mergeIn(json)));
    return out;
  }

  /** Each node's entry of a local section whose {@code field} is {@code name}. */
  private static Map<String, JsonObject> perNode(Map<String, JsonObject> nodes, String section, String field,
      String name) {
    Map<String, JsonObject> out = new TreeMap<>();
    nodes.forEach((id, local) -> local.getJsonArray(section).forEach(o -> {
      JsonObject entry = (JsonObject) o;
      if (name.equals(entry.getString(field))) {
        out.put(id, entry);
      }
    }));
    return out;
  }

  private static JsonObject sum(Map<String, JsonObject> perNode, Function<JsonObject, Long> value) {
    JsonObject counted = counted();
    perNode.forEach((id, json) -> {
      Long v = value.apply(json);
      add(counted, id, v == null ? 0 : v);
    });
    return counted;
  }

  private static JsonObject counted() {
    return new JsonObject().put("total", 0L).put("perNode", new JsonObject());
  }

  private static void add(JsonObject counted, String nodeId, long n) {
    counted.put("total", counted.getLong("total") + n);
    JsonObject perNode = counted.getJsonObject("perNode");
    perNode.put(nodeId, perNode.getLong(nodeId, 0L) + n);
  }
}
