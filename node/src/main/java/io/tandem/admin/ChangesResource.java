package io.tandem.admin;

import io.tandem.config.BackendConfig;
import io.tandem.cluster.AdminState;
import io.tandem.upstream.Backend;
import io.tandem.cluster.BackendConflictException;
import io.tandem.upstream.InvalidBackendException;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.upstream.UnknownBackendException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Operators' changes to backends, applied cluster-wide through the shared runtime state: drain, enable, disable,
 * weight, add, remove. Everything is validated before anything is stored, so a refused call changes nothing. The
 * answer comes once every live node has applied the change's version ({@link ApplyWait}), or after the apply
 * timeout with 504 naming the nodes that have not.
 */
final class ChangesResource {
  static final int MAX_WEIGHT = 256;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final NodeView node;
  private final ApplyWait wait;

  ChangesResource(NodeView node, ApplyWait wait) {
    this.node = node;
    this.wait = wait;
  }

  void drain(RoutingContext ctx) {
    state(ctx, AdminState.DRAINING);
  }

  void enable(RoutingContext ctx) {
    state(ctx, AdminState.ENABLED);
  }

  void disable(RoutingContext ctx) {
    state(ctx, AdminState.DISABLED);
  }

  private void state(RoutingContext ctx, AdminState state) {
    Json.body(ctx);
    PoolSnapshot pool = PoolsResource.pool(node, ctx.pathParam("pool"));
    Backend b = PoolsResource.backend(pool, ctx.pathParam("id"));
    apply(ctx, 200, pool.name(), b.id(), () -> node.registry().adminState(pool.name(), b.id(), state));
  }

  void weight(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, "weight");
    PoolSnapshot pool = PoolsResource.pool(node, ctx.pathParam("pool"));
    Backend b = PoolsResource.backend(pool, ctx.pathParam("id"));
    int weight = Json.integer(body, "weight", null, 1, MAX_WEIGHT);
    apply(ctx, 200, pool.name(), b.id(), () -> node.registry().weight(pool.name(), b.id(), weight));
  }

  void add(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, "id", "host", "port", "weight", "maxConnections");
    PoolSnapshot pool = PoolsResource.pool(node, ctx.pathParam("pool"));
    String id = Json.string(body, "id");
    if (!ID.matcher(id).matches()) {
      throw AdminException.badField("id", "id must be 1 to 64 letters, digits, '.', '_' or '-', got "
          + Json.kind(id));
    }
    String host = Json.string(body, "host");
    if (host.chars().anyMatch(c -> c <= ' ' || c == '/' || c >= 127)) {
      throw AdminException.badField("host", "host must be a host name or IP address, got " + Json.kind(host));
    }
    int port = Json.integer(body, "port", null, 1, 65535);
    int weight = Json.integer(body, "weight", 1, 1, MAX_WEIGHT);
    int max = Json.integer(body, "maxConnections", 0, 0, 1_000_000);
    if (pool.byId().containsKey(id)) {
      throw new AdminException(409, "backend \"" + id + "\" already exists in pool \"" + pool.name() + "\"", "id");
    }
    BackendConfig backend = new BackendConfig(id, host, port, weight, max);
    apply(ctx, 201, pool.name(), id, () -> node.registry().addBackend(pool.name(), backend));
  }

  void remove(RoutingContext ctx) {
    Json.body(ctx);
    PoolSnapshot pool = PoolsResource.pool(node, ctx.pathParam("pool"));
    Backend b = PoolsResource.backend(pool, ctx.pathParam("id"));
    apply(ctx, 200, pool.name(), b.id(), () -> node.registry().removeBackend(pool.name(), b.id()));
  }

  private void apply(RoutingContext ctx, int status, String pool, String id, Supplier<CompletionStage<Long>> change) {
    Future<Long> stored = Future.fromCompletionStage(change.get(), ctx.vertx().getOrCreateContext());
    stored.onFailure(e -> ctx.fail(refused(e))).onSuccess(version -> {
      ctx.put(AuditLog.VERSION, version);
      wait.until(version).onFailure(ctx::fail).onSuccess(r -> {
        JsonObject body = new JsonObject().put("pool", pool).put("backend", id);
        Backend now = node.registry().snapshot().pool(pool) == null ? null
            : node.registry().snapshot().pool(pool).byId().get(id);
        if (now != null) {
          body.put("adminState", BackendJson.spelling(now.adminState())).put("weight", now.weight());
        } else {
          body.put("removed", true);
        }
        ApplyWait.answer(ctx, node, status, body.put("version", version), r);
      });
    });
  }

  /** Why the shared state refused a change, as an admin answer. */
  static AdminException refused(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof UnknownBackendException) {
      return new AdminException(404, cause.getMessage());
    }
    if (cause instanceof InvalidBackendException invalid) {
      return AdminException.badField(invalid.field(), invalid.getMessage());
    }
    if (cause instanceof BackendConflictException) {
      return new AdminException(409, cause.getMessage());
    }
    return new AdminException(500, "the change could not be stored: " + cause);
  }
}
