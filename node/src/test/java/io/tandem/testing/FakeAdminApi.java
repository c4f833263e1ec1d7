package io.tandem.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a node's admin API that serves contract-shaped JSON (see the admin API contract), on 127.0.0.1 and a
 * free port, for tests of the admin API's clients (tandem ctl, the dashboard) without a cluster.
 *
 * <p>It starts from the fixtures under {@code io/tandem/testing/fake-admin/}: three configured nodes (n3 down), pool
 * {@code web} (b1, b2 up; b3 down and disabled) and pool {@code api} (a1 pending and draining), one VIP, one session
 * ({@code web}, key {@code abc123} on b2), and limits (rules {@code limited} and {@code api-keys}, the breaker of
 * pool {@code api} open on n2, b2 in slow start, refusals per reason). Drain, enable, disable and weight change the
 * state it serves, as the real API does; {@link #answer} replaces the answer to one call (for errors); {@link #simulateTraffic} makes the request
 * counters grow on every {@code GET /pools} (and the limits' counters on every {@code GET /limits}). It serves the
 * dashboard from the classpath at {@code /}. Example:
 * <pre>{@code
 * FakeAdminApi api = FakeAdminApi.start(vertx, "secret");
 * api.answer("POST", "/api/v1/pools/web/backends/b1/drain", 504, "{\"error\":\"not applied by n3 within 5000 ms\"}");
 * }</pre>
 */
public final class FakeAdminApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "/api/v1";

  /** A request the fake received. */
  public record Seen(String method, String uri, String authorization, String body) {}

  private record Canned(int status, String body) {}

  private final String token;
  private final HttpServer server;
  private final ObjectNode cluster = (ObjectNode) fixture("cluster.json");
  private final ObjectNode pools = (ObjectNode) fixture("pools.json");
  private final ObjectNode limits = (ObjectNode) fixture("limits.json");
  private final ObjectNode routes = (ObjectNode) fixture("routes.json");
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<String, Canned> canned = new ConcurrentHashMap<>();
  private volatile boolean traffic;
  private long version = 12;
  private long tick;

  private FakeAdminApi(Vertx vertx, String token) throws Exception {
    this.token = token;
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create());
    router.route().handler(this::record);
    router.get(PREFIX + "/cluster").handler(ctx -> json(ctx, 200, cluster));
    router.get(PREFIX + "/pools").handler(ctx -> {
      if (traffic) {
        grow();
      }
      json(ctx, 200, pools);
    });
    router.get(PREFIX + "/pools/:pool").handler(ctx -> found(ctx, pool(ctx.pathParam("pool"))));
    router.get(PREFIX + "/pools/:pool/backends/:id").handler(ctx -> found(ctx, backend(ctx)));
    router.post(PREFIX + "/pools/:pool/backends/:id/:action").handler(ctx -> change(ctx, ctx.pathParam("action")));
    router.put(PREFIX + "/pools/:pool/backends/:id/weight").handler(ctx -> change(ctx, "weight"));
    router.get(PREFIX + "/sessions").handler(this::session);
    router.get(PREFIX + "/limits").handler(ctx -> {
      if (traffic) {
        growLimits();
      }
      synchronized (this) {
        json(ctx, 200, limits);
      }
    });
    router.get(PREFIX + "/routes").handler(ctx -> json(ctx, 200, routes));
    router.post(PREFIX + "/config/reload").handler(ctx -> {
      if (authorized(ctx)) {
        ObjectNode answer = JSON.createObjectNode();
        answer.putArray("results").add(JSON.createObjectNode().put("node", "n1").put("ok", true))
            .add(JSON.createObjectNode().put("node", "n2").put("ok", true));
        json(ctx, 200, answer);
      }
    });
    router.route("/*").handler(StaticHandler.create("io/tandem/admin/dashboard").setCachingEnabled(false));
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Starts the fake; changes need {@code Authorization: Bearer token}. */
  public static FakeAdminApi start(Vertx vertx, String token) throws Exception {
    return new FakeAdminApi(vertx, token);
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:PORT} */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** From now on, {@code method path} (path with its query, as sent) answers {@code status} and {@code body}. */
  public void answer(String method, String path, int status, String body) {
    canned.put(method + " " + path, new Canned(status, body));
  }

  /** Whether every {@code GET /pools} adds some requests (and a few errors) to the backends' counters. */
  public void simulateTraffic(boolean on) {
    traffic = on;
  }

  /** The backend as the fake would serve it now. */
  public synchronized JsonNode backend(String pool, String id) {
    return backendNode(pool, id).deepCopy();
  }

  private void record(RoutingContext ctx) {
    seen.add(new Seen(ctx.request().method().name(), ctx.request().uri(), ctx.request().getHeader("Authorization"),
        ctx.body().asString()));
    Canned answer = canned.get(ctx.request().method().name() + " " + ctx.request().uri());
    if (answer != null) {
      ctx.response().setStatusCode(answer.status()).putHeader("Content-Type", "application/json").end(answer.body());
    } else {
      ctx.next();
    }
  }

  private synchronized void change(RoutingContext ctx, String action) {
    if (!authorized(ctx)) {
      return;
    }
    ObjectNode backend = backendNode(ctx.pathParam("pool"), ctx.pathParam("id"));
    if (backend == null) {
      error(ctx, 404, "unknown backend \"" + ctx.pathParam("id") + "\" in pool \"" + ctx.pathParam("pool") + "\"");
      return;
    }
    switch (action) {
      case "drain" -> backend.put("adminState", "draining");
      case "enable" -> backend.put("adminState", "enabled");
      case "disable" -> backend.put("adminState", "disabled");
      case "weight" -> {
        int weight = ctx.body().asJsonObject().getInteger("weight", 0);
        if (weight < 1 || weight > 256) {
          json(ctx, 400, JSON.createObjectNode().put("error", "weight must be 1..256, got " + weight)
              .put("field", "weight"));
          return;
        }
        backend.put("weight", weight);
      }
      default -> {
        error(ctx, 404, "no such action \"" + action + "\"");
        return;
      }
    }
    version++;
    cluster.put("stateVersion", version);
    cluster.withArray("members").forEach(m -> ((ObjectNode) m).put("appliedVersion", version));
    ObjectNode answer = JSON.createObjectNode().put("pool", ctx.pathParam("pool")).put("backend", backend.get("id")
        .asText()).put("adminState", backend.get("adminState").asText()).put("weight", backend.get("weight").asInt())
        .put("version", version);
    answer.putArray("applied").add("n1").add("n2");
    answer.putArray("pending");
    json(ctx, 200, answer);
  }

  private void session(RoutingContext ctx) {
    String pool = ctx.queryParams().get("pool");
    String key = ctx.queryParams().get("key");
    if (pool == null || key == null) {
      error(ctx, 400, "pool and key are required");
    } else if (pool.equals("web") && key.equals("abc123")) {
      json(ctx, 200, JSON.createObjectNode().put("pool", pool).put("key", key).put("backend", "b2")
          .put("since", "2026-11-29T17:30:00.000Z").put("lastUsed", "2026-11-29T18:02:59.000Z"));
    } else {
      error(ctx, 404, "no session for key \"" + key + "\" in pool \"" + pool + "\"");
    }
  }

  private boolean authorized(RoutingContext ctx) {
    if (("Bearer " + token).equals(ctx.request().getHeader("Authorization"))) {
      return true;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    error(ctx, 401, "missing or wrong admin token");
    return false;
  }

  /** Rules admit and refuse more, and more refusals are counted, on every {@code GET /limits}. */
  private synchronized void growLimits() {
    for (JsonNode rule : limits.withArray("rules")) {
      add((ObjectNode) rule.get("admitted"), 50);
      add((ObjectNode) rule.get("refused"), rule.get("rule").asText().equals("limited") ? 12 : 0);
    }
    for (JsonNode reason : limits.withArray("refusals")) {
      ((ObjectNode) reason).put("total", reason.get("total").asLong() + 6);
    }
  }

  private static void add(ObjectNode counted, long n) {
    counted.put("total", counted.get("total").asLong() + n);
    ObjectNode perNode = (ObjectNode) counted.get("perNode");
    perNode.put("n1", perNode.get("n1").asLong() + n);
  }

  private synchronized void grow() {
    tick++;
    for (JsonNode pool : pools.withArray("pools")) {
      long poolRequests = 0;
      long poolErrors = 0;
      for (JsonNode b : pool.withArray("backends")) {
        ObjectNode backend = (ObjectNode) b;
        boolean serving = !"disabled".equals(backend.get("adminState").asText());
        long more = serving ? 20 + (tick * 7 + backend.get("id").hashCode()) % 23 : 0;
        long failed = serving && tick % 4 == 0 ? 1 : 0;
        ObjectNode requests = backend.withObjectProperty("requests");
        requests.put("total", requests.get("total").asLong() + more);
        ObjectNode perNode = requests.withObjectProperty("perNode");
        List<String> nodes = new ArrayList<>();
        perNode.fieldNames().forEachRemaining(nodes::add);
        for (int i = 0; i < nodes.size(); i++) {
          long share = more / nodes.size() + (i < more % nodes.size() ? 1 : 0);
          perNode.put(nodes.get(i), perNode.get(nodes.get(i)).asLong() + share);
        }
        backend.put("errors", backend.get("errors").asLong() + failed);
        poolRequests += requests.get("total").asLong();
        poolErrors += backend.get("errors").asLong();
      }
      ((ObjectNode) pool).withObjectProperty("totals").put("requests", poolRequests).put("errors", poolErrors);
    }
  }

  private synchronized JsonNode pool(String name) {
    for (JsonNode pool : pools.withArray("pools")) {
      if (pool.get("name").asText().equals(name)) {
        return pool.deepCopy();
      }
    }
    return null;
  }

  private synchronized JsonNode backend(RoutingContext ctx) {
    ObjectNode backend = backendNode(ctx.pathParam("pool"), ctx.pathParam("id"));
    return backend == null ? null : backend.deepCopy();
  }

  private ObjectNode backendNode(String pool, String id) {
    for (JsonNode p : pools.withArray("pools")) {
      if (p.get("name").asText().equals(pool)) {
        for (JsonNode b : (ArrayNode) p.get("backends")) {
          if (b.get("id").asText().equals(id)) {
            return (ObjectNode) b;
          }
        }
      }
    }
    return null;
  }

  private void found(RoutingContext ctx, JsonNode answer) {
    if (answer == null) {
      error(ctx, 404, "unknown pool or backend: " + ctx.request().path().substring(PREFIX.length()));
    } else {
      json(ctx, 200, answer);
    }
  }

  private void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, JSON.createObjectNode().put("error", message));
  }

  private synchronized void json(RoutingContext ctx, int status, JsonNode body) {
    try {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .end(JSON.writeValueAsString(body));
    } catch (IOException e) {
      ctx.fail(e);
    }
  }

  private static JsonNode fixture(String name) {
    try (InputStream in = FakeAdminApi.class.getResourceAsStream("fake-admin/" + name)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
