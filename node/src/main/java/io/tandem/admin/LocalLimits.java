package io.tandem.admin;

import io.tandem.config.ListenerConfig;
import io.tandem.config.RateLimitConfig;
import io.tandem.limits.LimitsStatus;
import io.tandem.limits.NodeLimits;
import io.tandem.limits.PoolGuard;
import io.tandem.limits.RateLimiter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * This node's overload protection as JSON ({@code GET /api/v1/local/limits}), which {@link LimitsResource} gathers
 * from every node: rate-limit rules with their counts, pool guards, the busiest clients, refusals by listener and
 * reason. Sections are empty when the node has no limits to show.
 */
final class LocalLimits {
  /** Clients listed per listener, most open connections first. */
  static final int TOP_CLIENTS = 10;

  private LocalLimits() {}

  static JsonObject of(NodeView node) {
    JsonObject json = new JsonObject().put("node", node.nodeId()).put("rules", new JsonArray())
        .put("pools", new JsonArray()).put("clients", new JsonArray()).put("refusals", new JsonObject());
    NodeLimits limits = node.limits();
    if (limits == null) {
      return json;
    }
    for (LimitsStatus.Rule r : limits.rateLimits().status()) {
      RateLimiter limiter = limits.rateLimits().rule(r.listener(), r.rule());
      json.getJsonArray("rules").add(rule(r, limiter == null ? null : limiter.rule()));
    }
    long now = limits.poolGuards().clock().nanoTime();
    long wallNow = System.currentTimeMillis();
    for (Map.Entry<String, PoolGuard> e : limits.poolGuards().all().entrySet()) {
      PoolGuard.Status s = e.getValue().status(now);
      json.getJsonArray("pools").add(new JsonObject().put("pool", e.getKey()).put("breaker", s.breaker())
          .put("breakerSince", s.openedNanosAgo() < 0 ? null : Json.time(wallNow - s.openedNanosAgo() / 1_000_000))
          .put("breakerRefusals", s.breakerRefusals()).put("retriesInFlight", s.retriesInFlight())
          .put("retriesAllowed", s.retriesAllowed()).put("retriesDenied", s.retriesDenied())
          .put("slowStart", object(s.warming())));
    }
    for (ListenerConfig lc : node.config().get().listeners()) {
      JsonObject top = new JsonObject();
      limits.clientConnections().top(lc.name(), TOP_CLIENTS).forEach(top::put);
      json.getJsonArray("clients").add(new JsonObject().put("listener", lc.name()).put("top", top));
    }
    limits.refusals().get().forEach((listener, reasons) -> json.getJsonObject("refusals").put(listener,
        object(reasons)));
    return json;
  }

  private static JsonObject rule(LimitsStatus.Rule r, RateLimitConfig c) {
    JsonObject json = new JsonObject().put("listener", r.listener()).put("rule", r.rule());
    if (c != null) {
      json.put("match", new JsonObject().put("pathPrefix", c.pathPrefix()).put("host", c.host()).put("pool", c.pool()))
          .put("key", key(c));
    }
    return json.put("rate", r.rate()).put("periodMillis", r.period().toMillis()).put("burst", r.burst())
        .put("maxKeys", r.maxKeys()).put("keysTracked", r.keysTracked()).put("admitted", r.admitted())
        .put("refused", r.refused()).put("overflowed", r.overflowed());
  }

  private static JsonObject object(Map<String, ?> values) {
    JsonObject json = new JsonObject();
    values.forEach(json::put);
    return json;
  }

  /** The rule's key as the configuration spells it: {@code source}, {@code header:X-Api-Key}, ... */
  static String key(RateLimitConfig c) {
    String kind = c.key().name().toLowerCase(java.util.Locale.ROOT);
    return c.keyName() == null ? kind : kind + ":" + c.keyName();
  }
}
