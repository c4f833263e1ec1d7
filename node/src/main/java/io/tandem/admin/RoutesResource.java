package io.tandem.admin;

import io.tandem.config.ActionConfig;
import io.tandem.config.ListenerConfig;
import io.tandem.config.Protocol;
import io.tandem.config.RouteConfig;
import io.tandem.upstream.Router;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/routes}: every HTTP listener's routes as the data path runs them (match, pool, split weights in
 * force, mirror, actions in order) with what their actions did on each node ({@code redirected}, {@code denied},
 * {@code returned}, {@code mirrored}, {@code mirrorFailed}, each split pool's share), gathered from every node's
 * {@code /api/v1/local/routes}. {@code PUT /api/v1/routes/{listener}/{route}/split} sets a split route's weights on
 * every node, like a drain (stored in the shared runtime state, so kept across reloads and restarts).
 */
final class RoutesResource {
  private static final String[] COUNTS = {"redirected", "denied", "returned", "mirrored", "mirrorFailed"};

  private final NodeView node;
  private final PeerClient peers;
  private final ApplyWait wait;

  RoutesResource(NodeView node, PeerClient peers, ApplyWait wait) {
    this.node = node;
    this.peers = peers;
    this.wait = wait;
  }

  void local(RoutingContext ctx) {
    Json.ok(ctx, localCounts());
  }

  private JsonObject localCounts() {
    JsonObject listeners = new JsonObject();
    node.routeCounts().get().forEach((listener, routes) -> {
      JsonObject r = new JsonObject();
      routes.forEach((route, counts) -> r.put(route, new JsonObject(counts)));
      listeners.put(listener, r);
    });
    return new JsonObject().put("node", node.nodeId()).put("listeners", listeners);
  }

  void cluster(RoutingContext ctx) {
    peers.getAll("/api/v1/local/routes").onSuccess(fanOut -> {
      Map<String, JsonObject> nodes = new TreeMap<>(fanOut.answers());
      nodes.put(node.nodeId(), localCounts());
      JsonArray routes = new JsonArray();
      for (ListenerConfig l : node.config().get().listeners()) {
        if (l.protocol() != Protocol.HTTP) {
          continue;
        }
        Router router = node.registry().snapshot().router(l.name());
        for (int i = 0; i <= l.routes().size(); i++) {
          boolean fallback = i == l.routes().size();
          RouteConfig r = fallback ? null : l.routes().get(i);
          String label = fallback ? "default" : Router.label(r, i);
          routes.add(route(l, r, label, router, nodes));
        }
      }
      Json.ok(ctx, new JsonObject().put("routes", routes).put("unavailable", Json.array(fanOut.unavailable())));
    }).onFailure(ctx::fail);
  }

  private static JsonObject route(ListenerConfig l, RouteConfig r, String label, Router router,
      Map<String, JsonObject> nodes) {
    JsonObject out = new JsonObject().put("listener", l.name()).put("route", label);
    List<ActionConfig> actions = new java.util.ArrayList<>(l.actions());
    if (r == null) {
      out.put("match", new JsonObject()).put("pool", l.defaultPool());
    } else {
      out.put("match", match(r.match()));
      if (r.pool() != null) {
        out.put("pool", r.pool());
      }
      if (!r.split().isEmpty()) {
        JsonArray split = new JsonArray();
        Map<String, Integer> inForce = new LinkedHashMap<>();
        router.splitOf(label).forEach(t -> inForce.put(t.pool(), t.weight()));
        r.split().forEach(t -> split.add(new JsonObject().put("pool", t.pool())
            .put("weight", inForce.getOrDefault(t.pool(), t.weight())).put("configuredWeight", t.weight())));
        out.put("split", split);
      }
      if (r.mirror() != null) {
        out.put("mirror", new JsonObject().put("pool", r.mirror().pool()).put("percent", r.mirror().percent())
            .put("maxBody", r.mirror().maxBody()));
      }
      actions.addAll(r.actions());
    }
    JsonArray described = new JsonArray();
    actions.forEach(a -> described.add(describe(a)));
    out.put("actions", described);
    out.put("counts", counts(l.name(), label, nodes));
    return out;
  }

  private static JsonObject match(RouteConfig.Match m) {
    JsonObject o = new JsonObject();
    if (!m.hosts().isEmpty()) {
      o.put("hosts", new JsonArray(m.hosts()));
    }
    if (m.pathPrefix() != null) {
      o.put("pathPrefix", m.pathPrefix());
    }
    if (m.pathRegex() != null) {
      o.put("pathRegex", m.pathRegex().pattern());
    }
    if (!m.methods().isEmpty()) {
      o.put("methods", new JsonArray(m.methods()));
    }
    if (!m.headers().isEmpty()) {
      o.put("headers", new JsonArray(m.headers().stream().map(RouteConfig.HeaderMatch::name).toList()));
    }
    if (!m.cookies().isEmpty()) {
      o.put("cookies", new JsonArray(m.cookies().stream().map(RouteConfig.CookieMatch::name).toList()));
    }
    if (!m.sni().isEmpty()) {
      o.put("sni", new JsonArray(m.sni()));
    }
    return o;
  }

  /** One action as the configuration writes it, e.g. {@code strip-prefix /api}. */
  static String describe(ActionConfig a) {
    if (a instanceof ActionConfig.Header h) {
      String kind = h.op().name().toLowerCase(java.util.Locale.ROOT) + "-"
          + h.side().name().toLowerCase(java.util.Locale.ROOT) + "-header " + h.name();
      return h.value() == null ? kind : kind + ": " + h.value();
    } else if (a instanceof ActionConfig.StripPrefix s) {
      return "strip-prefix " + s.prefix();
    } else if (a instanceof ActionConfig.ReplacePrefix p) {
      return "replace-prefix " + p.prefix() + " -> " + p.replacement();
    } else if (a instanceof ActionConfig.RegexRewrite r) {
      return "regex-rewrite " + r.pattern().pattern() + " -> " + r.replacement();
    } else if (a instanceof ActionConfig.SetHost h) {
      return "set-host " + h.host();
    } else if (a instanceof ActionConfig.Redirect r) {
      StringBuilder sb = new StringBuilder("redirect ").append(r.status());
      if (r.scheme() != null) {
        sb.append(" scheme ").append(r.scheme());
      }
      if (r.host() != null) {
        sb.append(" host ").append(r.host());
      }
      if (r.port() != 0) {
        sb.append(" port ").append(r.port());
      }
      if (r.path() != null) {
        sb.append(" path ").append(r.path());
      }
      if (r.prefix() != null) {
        sb.append(" prefix ").append(r.matchedPrefix()).append(" -> ").append(r.prefix());
      }
      return sb.append(r.keepQuery() ? "" : " query dropped").toString();
    } else if (a instanceof ActionConfig.Return r) {
      return "return " + r.status() + " (" + r.body().length() + " chars, " + r.contentType() + ")";
    } else if (a instanceof ActionConfig.Access x) {
      StringBuilder sb = new StringBuilder(x.allow() ? "allow" : "deny");
      if (!x.sources().isEmpty()) {
        sb.append(" sources ").append(x.sources());
      }
      if (!x.methods().isEmpty()) {
        sb.append(" methods ").append(x.methods());
      }
      if (!x.subjects().isEmpty()) {
        sb.append(" client-cert-subjects ").append(x.subjects());
      }
      return sb.toString();
    } else if (a instanceof ActionConfig.Cors c) {
      return "cors origins " + c.origins() + " methods " + c.methods() + (c.credentials() ? " credentials" : "");
    }
    return a.toString();
  }

  /** Each count as {@code {"total": n, "perNode": {...}}}; split shares per pool the same. */
  private static JsonObject counts(String listener, String route, Map<String, JsonObject> nodes) {
    JsonObject out = new JsonObject();
    for (String name : COUNTS) {
      JsonObject perNode = new JsonObject();
      long total = 0;
      for (Map.Entry<String, JsonObject> n : nodes.entrySet()) {
        long v = routeOf(n.getValue(), listener, route).getLong(name, 0L);
        perNode.put(n.getKey(), v);
        total += v;
      }
      out.put(name, new JsonObject().put("total", total).put("perNode", perNode));
    }
    Map<String, JsonObject> split = new TreeMap<>();
    nodes.forEach((id, answer) -> {
      JsonObject shares = routeOf(answer, listener, route).getJsonObject("split", new JsonObject());
      for (String pool : shares.fieldNames()) {
        JsonObject s = split.computeIfAbsent(pool, p -> new JsonObject().put("total", 0L)
            .put("perNode", new JsonObject()));
        long v = shares.getLong(pool, 0L);
        s.put("total", s.getLong("total") + v);
        s.getJsonObject("perNode").put(id, v);
      }
    });
    JsonObject shares = new JsonObject();
    split.forEach(shares::put);
    return out.put("split", shares);
  }

  private static JsonObject routeOf(JsonObject nodeAnswer, String listener, String route) {
    return nodeAnswer.getJsonObject("listeners", new JsonObject()).getJsonObject(listener, new JsonObject())
        .getJsonObject(route, new JsonObject());
  }

  /** {@code PUT .../split} with {@code {"weights": {"main": 90, "canary": 10}}}. */
  void split(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, "weights");
    Object raw = body.getValue("weights");
    if (!(raw instanceof JsonObject weights)) {
      throw AdminException.badField("weights", "weights must be an object of pool names and weights, e.g. "
          + "{\"main\": 90, \"canary\": 10}, got " + (raw == null ? "nothing" : Json.kind(raw)));
    }
    Map<String, Integer> byPool = new LinkedHashMap<>();
    for (String pool : weights.fieldNames()) {
      Object w = weights.getValue(pool);
      if (!(w instanceof Integer || w instanceof Long)) {
        throw AdminException.badField("weights", "the weight of " + pool + " must be an integer, got "
            + Json.kind(w));
      }
      long n = ((Number) w).longValue();
      byPool.put(pool, n < Integer.MIN_VALUE || n > Integer.MAX_VALUE ? -1 : (int) n);
    }
    String listener = ctx.pathParam("listener");
    String route = ctx.pathParam("route");
    Future<Long> stored = Future.fromCompletionStage(node.registry().splitWeights(listener, route, byPool),
        ctx.vertx().getOrCreateContext());
    stored.onFailure(e -> ctx.fail(ChangesResource.refused(e))).onSuccess(version -> {
      ctx.put(AuditLog.VERSION, version);
      wait.until(version).onFailure(ctx::fail).onSuccess(r -> {
        JsonArray split = new JsonArray();
        node.registry().snapshot().router(listener).splitOf(route)
            .forEach(t -> split.add(new JsonObject().put("pool", t.pool()).put("weight", t.weight())));
        ApplyWait.answer(ctx, node, 200, new JsonObject().put("listener", listener).put("route", route)
            .put("split", split).put("version", version), r);
      });
    });
  }
}
