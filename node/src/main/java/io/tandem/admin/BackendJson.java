package io.tandem.admin;

import io.tandem.cluster.HealthBoard;
import io.tandem.config.PoolConfig;
import io.tandem.cluster.HealthState;
import io.tandem.util.Outcome;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.upstream.LatencyHistogram;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@code <pool>} and {@code <backend>} answers from the shared state (health, other nodes' connection
 * counts) and every node's local stats (requests, outcomes, latency buckets, passive ejection).
 */
final class BackendJson {
  /** Outcomes that are not errors of the backend. */
  private static final Set<String> NOT_ERRORS =
      Set.of(Outcome.OK.label(), Outcome.UPGRADED.label(), Outcome.CLIENT_ABORTED.label());

  private final NodeView node;
  private final Map<String, JsonObject> stats;
  private final List<String> unavailable;

  /** @param stats every answering node's {@code /api/v1/local/stats}, this node's included, by node id */
  BackendJson(NodeView node, Map<String, JsonObject> stats, List<String> unavailable) {
    this.node = node;
    this.stats = stats;
    this.unavailable = unavailable;
  }

  JsonObject pool(PoolSnapshot pool) {
    JsonArray backends = new JsonArray();
    long connections = 0;
    long requests = 0;
    long errors = 0;
    for (Backend b : pool.backends()) {
      JsonObject json = backend(pool, b);
      backends.add(json);
      connections += json.getJsonObject("connections").getLong("total");
      requests += json.getJsonObject("requests").getLong("total");
      errors += json.getLong("errors");
    }
    PoolConfig cfg = pool.config();
    String persistence = cfg.persistence() == null ? null : switch (cfg.persistence().type()) {
      case NONE -> cfg.persistence().learnCookie() == null ? null : "learn-cookie";
      case COOKIE -> "cookie-insert";
      case SOURCE_ADDRESS -> "source-address";
    };
    return new JsonObject().put("name", pool.name()).put("algorithm", spelling(cfg.algorithm()))
        .put("persistence", persistence).put("backends", backends)
        .put("totals", new JsonObject().put("connections", connections).put("requests", requests)
            .put("errors", errors));
  }

  JsonObject backend(PoolSnapshot pool, Backend b) {
    JsonObject requestsPerNode = new JsonObject();
    JsonObject perOutcome = new JsonObject();
    JsonObject ejected = new JsonObject();
    long[] buckets = new long[0];
    long requests = 0;
    long errors = 0;
    for (Map.Entry<String, JsonObject> e : stats.entrySet()) {
      JsonObject pools = e.getValue().getJsonObject("pools", new JsonObject());
      JsonObject mine = pools.getJsonObject(pool.name(), new JsonObject()).getJsonObject(b.id());
      if (mine == null) {
        continue;
      }
      requestsPerNode.put(e.getKey(), mine.getLong("requests", 0L));
      requests += mine.getLong("requests", 0L);
      ejected.put(e.getKey(), mine.getBoolean("passiveEjected", false));
      for (Map.Entry<String, Object> o : mine.getJsonObject("perOutcome", new JsonObject())) {
        long n = ((Number) o.getValue()).longValue();
        perOutcome.put(o.getKey(), perOutcome.getLong(o.getKey(), 0L) + n);
        if (!NOT_ERRORS.contains(o.getKey())) {
          errors += n;
        }
      }
      buckets = add(buckets, mine.getJsonArray("latencyBuckets", new JsonArray()));
    }
    JsonObject connectionsPerNode = new JsonObject().put(node.nodeId(), b.stats().active());
    int connections = b.stats().active();
    for (Map.Entry<String, Integer> e : node.shared().connections().perNode(pool.name(), b.id()).entrySet()) {
      connectionsPerNode.put(e.getKey(), e.getValue());
      connections += e.getValue();
    }
    return new JsonObject().put("id", b.id()).put("pool", pool.name()).put("address", b.hostPort())
        .put("source", spelling(b.source()))
        .put("health", health(node.shared().health().detail(pool.name(), b.id()), ejected))
        .put("adminState", spelling(b.adminState())).put("weight", b.weight())
        .put("maxConnections", b.maxConnections())
        .put("connections", new JsonObject().put("total", connections).put("perNode", connectionsPerNode))
        .put("requests", new JsonObject().put("total", requests).put("perNode", requestsPerNode)
            .put("perOutcome", perOutcome))
        .put("errors", errors)
        .put("latencyMillis", new JsonObject().put("p50", percentile(buckets, 0.5))
            .put("p90", percentile(buckets, 0.9)).put("p99", percentile(buckets, 0.99)))
        .put("unavailable", Json.array(unavailable));
  }

  private static JsonObject health(HealthBoard.HealthDetail d, JsonObject ejected) {
    JsonArray checks = new JsonArray();
    for (HealthBoard.CheckResult c : d.checks()) {
      checks.add(new JsonObject().put("node", c.node()).put("ok", c.ok()).put("detail", c.detail())
          .put("latencyMicros", c.latencyMicros()).put("at", Json.time(c.atMillis())));
    }
    return new JsonObject().put("verdict", verdict(d.verdict())).put("publishedBy", d.publishedBy())
        .put("since", Json.time(d.sinceMillis())).put("checks", checks)
        .put("suspects", Json.array(d.suspects())).put("passiveEjected", ejected);
  }

  private static String verdict(HealthState state) {
    return switch (state) {
      case PENDING -> "pending";
      case HEALTHY -> "up";
      case UNHEALTHY -> "down";
    };
  }

  private static long[] add(long[] sum, JsonArray more) {
    long[] result = java.util.Arrays.copyOf(sum, Math.max(sum.length, more.size()));
    for (int i = 0; i < more.size(); i++) {
      result[i] += more.getLong(i);
    }
    return result;
  }

  /** The quantile in milliseconds (3 decimals) of bucket counts summed over nodes; null when nothing was recorded. */
  private static Double percentile(long[] buckets, double q) {
    if (buckets.length != LatencyHistogram.BUCKETS || java.util.Arrays.stream(buckets).sum() == 0) {
      return null;
    }
    double ms = LatencyHistogram.Snapshot.of(buckets, 0).percentileSeconds(q) * 1000;
    return Math.round(ms * 1000) / 1000.0;
  }

  static String spelling(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
