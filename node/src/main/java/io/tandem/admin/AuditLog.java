package io.tandem.admin;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One line per state-changing call on the logger {@code tandem.audit}, accepted or not: who (remote address and
 * token fingerprint), what (method, path, body summary), when, result (status and, when there is one, the new state
 * version). Example:
 * {@code who="127.0.0.1:51234 token:3f2a9c1b" what="PUT /api/v1/pools/web/backends/b1/weight {"weight":5}"
 * when=2026-11-29T18:00:00.123Z status=200 version=13}
 */
final class AuditLog {
  static final Logger LOG = LogManager.getLogger("tandem.audit");
  static final String VERSION = "tandem.admin.version";
  private static final int MAX_BODY = 300;

  private AuditLog() {}

  /** Route handler placed before authentication on every state-changing route: logs once the answer is decided. */
  static void around(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> log(ctx));
    ctx.next();
  }

  private static void log(RoutingContext ctx) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    String what = ctx.request().method() + " " + ctx.request().uri()
        + (body == null || body.isBlank() ? "" : " " + summary(body));
    Object version = ctx.get(VERSION);
    String who = ctx.get(Auth.CALLER);
    if (who == null) {
      who = ctx.request().remoteAddress() + " unauthenticated";
    }
    LOG.info("who=\"{}\" what=\"{}\" when={} status={}{}", who, what.replace('"', '\''),
        Instant.now(), ctx.response().getStatusCode(), version == null ? "" : " version=" + version);
  }

  private static String summary(String body) {
    String flat = body.replaceAll("\\s+", " ").strip();
    return flat.length() <= MAX_BODY ? flat : flat.substring(0, MAX_BODY) + "...";
  }
}
