package io.tandem.proxy.http;

import io.tandem.config.ListenerConfig;
import io.tandem.config.RouteConfig;
import io.tandem.proxy.h1.HeaderNames;
import io.tandem.proxy.h1.RequestHead;
import io.tandem.proxy.rules.Rules;
import io.tandem.proxy.rules.Split;
import io.tandem.upstream.Router;
import io.tandem.upstream.RoutingSnapshot;
import io.tandem.util.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * The decisions an {@link Http1Exchange} makes on its parsed head, before any backend is asked: the listener's limits,
 * the redirect to HTTPS, the route and its plan (a route's own answer ends it here), the pool, its rate limits and
 * circuit breaker, whether the connection upgrades, whether the body is read whole first, and whether a copy goes to a
 * mirror. Static, on the exchange's own fields: the data path allocates nothing more for it.
 */
final class Http1Admission {
  private Http1Admission() {
  }

  /** Decides what becomes of the request; ends in a backend attempt, a wait for the body, or Tandem's own answer. */
  static void start(Http1Exchange ex) {
    ListenerConfig lc = ex.lc;
    RequestHead head = ex.head;
    ListenerRuntime listener = ex.listener;
    ListenerConfig.Limits limits = lc.limits();
    if (head.headerCount() > limits.maxHeaderCount()) {
      Http1OwnAnswer.reject(ex, Outcome.TOO_MANY_HEADERS, "more than " + limits.maxHeaderCount() + " header fields");
      return;
    }
    long max = limits.maxBodySize();
    if (max > 0 && head.contentLength() > max) {
      Http1OwnAnswer.reject(ex, Outcome.BODY_TOO_LARGE, "Content-Length " + head.contentLength() + " over " + max);
      return;
    }
    int httpsPort = lc.redirectToHttps();
    if (httpsPort > 0) {
      Http1OwnAnswer.redirect(ex, httpsPort);
      return;
    }
    RoutingSnapshot snap = listener.registry().snapshot();
    ex.view = new Http1RequestView(head, ex.conn.tls(), ex.clientIp,
        ex.clientIp.equals(ex.conn.clientIp()) ? ex.conn.clientPort() : 0, ex.requestId);
    Router router = snap.router(listener.name());
    RouteConfig route = router.match(ex.view);
    ex.route = route;
    ex.routeLabel = router.label(route);
    String poolName = route.split().isEmpty() ? route.pool()
        : Split.pick(route, snap, head.get(HeaderNames.COOKIE), ex.clientIp, listener.affinity());
    ex.plan = Rules.plan(route, poolName, ex.view);
    if (ex.plan.answer() != null) {
      Http1OwnAnswer.answer(ex, ex.plan.answer());
      return;
    }
    if (!route.split().isEmpty()) {
      ex.counts().split(poolName);
    }
    ex.pool = poolName == null ? null : snap.pool(poolName);
    if (ex.pool == null) {
      Http1OwnAnswer.fail(ex, Outcome.NO_BACKEND);
      return;
    }
    RateLimitGate.Refusal refused = RateLimitGate.check(listener.rateLimits(), listener.name(), ex.view, poolName,
        ex.clientIp);
    if (refused != null) {
      List<String> extra = new ArrayList<>();
      refused.headers((n, v) -> {
        extra.add(n);
        extra.add(v);
      });
      Http1OwnAnswer.fail(ex, Outcome.RATE_LIMITED, extra.toArray(new String[0]));
      return;
    }
    if (!ex.attempt.admit(ex.pool)) {
      Http1OwnAnswer.fail(ex, Outcome.CIRCUIT_OPEN);
      return;
    }
    String upgradeTo = head.upgrade() ? head.get(HeaderNames.UPGRADE) : null;
    // h2c is an offer Tandem declines (its headers are hop-by-hop and dropped); anything else, e.g. websocket, tunnels.
    ex.upgrade = upgradeTo != null && !upgradeTo.trim().equalsIgnoreCase("h2c");
    // A small body is read whole before a backend is chosen, so that a client trickling it (R.U.D.Y.) holds only its
    // own connection; one that waits for 100 Continue, an upgrade, and larger or chunked bodies stream.
    ex.bufferFirst = ex.bodyKind == Http1Exchange.BodyKind.LENGTH && head.contentLength() <= BodyBuffer.MAX_BUFFERED
        && !head.expectContinue() && !ex.upgrade;
    RouteConfig.Mirror mirror = route.mirror();
    if (mirror != null && !ex.upgrade && (ex.bodyKind == Http1Exchange.BodyKind.NONE
        || (ex.bufferFirst && head.contentLength() <= mirror.maxBody()))
        && Mirror.drawn(mirror.percent())) {
      ex.mirrorPool = snap.pool(mirror.pool());   // a body streamed or over max-body is not held for a copy
    }
    if (ex.bufferFirst) {
      ex.lastActivity = System.nanoTime();
      ex.timer = ex.scheduler.schedule(lc.timeouts().requestBody(), () -> {
        if (!ex.finished && ex.bufferedBody == null) {
          Http1OwnAnswer.reject(ex, Outcome.CLIENT_TIMEOUT, "request body slower than the body timeout");
        }
      });
      return;   // the connection feeds the input next; forward() once the body is in
    }
    ex.forward();
  }
}
