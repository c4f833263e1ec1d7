package io.tandem.proxy.http;

import io.tandem.balancing.PickContext;
import io.tandem.config.ErrorPage;
import io.tandem.config.ListenerConfig;
import io.tandem.config.RouteConfig;
import io.tandem.proxy.BackendAttempt;
import io.tandem.util.Outcome;
import io.tandem.proxy.rules.Answer;
import io.tandem.proxy.rules.Plan;
import io.tandem.proxy.rules.Rules;
import io.tandem.proxy.rules.Split;
import io.tandem.tls.TlsFacts;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.upstream.Router;
import io.tandem.upstream.RoutingSnapshot;
import io.tandem.util.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One proxied request, from the client's request head to the end of the response. Runs on the client connection's
 * event loop. The backend choice (session, slot, queue, connect retries, release) is a {@link BackendAttempt}; the
 * I/O towards the backend is a {@link BackendLeg}; this class holds the HTTP decisions (framing checks, routing,
 * rate limits, which failures may be retried, what to answer). Never throws for bad traffic: every path ends in
 * {@link #finish} with one {@link Outcome}.
 */
final class Exchange implements BackendAttempt.Leg, BackendLeg.Owner {
  private static final Logger LOG = LogManager.getLogger(Exchange.class);

  private final ListenerRuntime listener;
  private final ListenerConfig lc;
  private final HttpServerRequest req;
  private final Context context;
  private final long startNanos = System.nanoTime();
  private final String requestId;
  private final String clientIp;
  private final String peerIp;   // the connection's: the hop X-Forwarded-For gets
  private final BackendAttempt attempt;
  private final Http1Loop h1;

  private RouteConfig route;
  private String routeLabel;
  private PoolSnapshot mirrorPool;
  private Plan plan = Plan.NONE;
  private PoolSnapshot pool;
  private SessionAffinity session;
  private boolean hasBody;
  private long ownBytes;
  private io.vertx.core.buffer.Buffer buffered;
  private UpstreamLeg leg;
  private final boolean grpc;
  private String grpcStatus;     // the one Tandem answered itself, else the backend's
  private boolean finished;

  Exchange(ListenerRuntime listener, HttpServerRequest req, Context context, Executor loop, Scheduler scheduler,
      Http1Loop h1) {
    this.listener = listener;
    this.h1 = h1;
    this.lc = listener.config();
    this.req = req;
    this.context = context;
    SocketAddress remote = req.remoteAddress();
    this.peerIp = remote == null ? "-" : remote.hostAddress();
    this.clientIp = lc.clientAddress() == null ? peerIp
        : ClientAddress.of(lc.clientAddress(), peerIp, req.headers().get(lc.clientAddress().header()));
    String incomingId = lc.trustForwarded() ? req.headers().get(ForwardingHeaders.X_REQUEST_ID) : null;
    this.requestId = incomingId != null && !incomingId.isEmpty() ? incomingId : listener.nextRequestId();
    this.attempt = new BackendAttempt(listener, loop, scheduler);
    this.grpc = Grpc.isGrpc(req.headers().get(HttpHeaders.CONTENT_TYPE));
  }

  void start() {
    HttpServerResponse resp = req.response();
    resp.closeHandler(v -> clientGone());
    if (!checkFraming()) {
      return;
    }
    RoutingSnapshot snap = listener.registry().snapshot();
    VertxRequestView view = new VertxRequestView(req, clientIp, requestId);
    Router router = snap.router(listener.name());
    route = router.match(view);
    routeLabel = router.label(route);
    String poolName = route.split().isEmpty() ? route.pool()
        : Split.pick(route, snap, req.headers().get(HttpHeaders.COOKIE), clientIp, listener.affinity());
    plan = Rules.plan(route, poolName, view);
    if (plan.answer() != null) {
      answer(plan.answer());
      return;
    }
    if (!route.split().isEmpty()) {
      listener.routes().of(routeLabel).split(poolName);
    }
    pool = poolName == null ? null : snap.pool(poolName);
    if (pool == null) {
      fail(Outcome.NO_BACKEND);
      return;
    }
    RateLimitGate.Refusal refused = RateLimitGate.check(listener.rateLimits(), listener.name(), view, poolName, clientIp);
    if (refused != null) {
      refused.headers(req.response());
      fail(Outcome.RATE_LIMITED);
      return;
    }
    if (!attempt.admit(pool)) {
      fail(Outcome.CIRCUIT_OPEN);
      return;
    }
    RouteConfig.Mirror mirror = route.mirror();
    boolean buffers = BodyBuffer.applies(req, hasBody);
    if (mirror != null && (!hasBody || (buffers && BodyBuffer.length(req) <= mirror.maxBody()))
        && !req.headers().contains(HttpHeaders.UPGRADE) && Mirror.drawn(mirror.percent())) {
      mirrorPool = snap.pool(mirror.pool());
    }
    if (buffers) {
      BodyBuffer.read(req, context, lc.timeouts().requestBody().toMillis(), body -> {
        if (!finished) {
          buffered = body;
          forward(view);
        }
      }, () -> rejectFraming(Outcome.CLIENT_TIMEOUT, "request body slower than the body timeout"),
          () -> finishQuietly(Outcome.CLIENT_ABORTED));
      return;
    }
    forward(view);
  }

  /** Picks the backend (the session's, or the balancer's) and sends the request to it. */
  private void forward(VertxRequestView view) {
    PickContext pick = RequestKeys.pickContext(pool.config(), view, clientIp);
    session = new SessionAffinity(pool, listener.affinity(), req.headers().get(HttpHeaders.COOKIE), clientIp);
    attempt.start(pick, session, this);
  }

  /** Header count and body size (see {@link RequestFraming}); answers itself and returns false on a refusal. */
  private boolean checkFraming() {
    RequestFraming framing = RequestFraming.check(req.headers(), lc.limits());
    if (framing.refusal() != null) {
      rejectFraming(framing.refusal(), framing.reason());
      return false;
    }
    // An HTTP/2 request says whether a body follows by its stream's end, which may come later than its head: a
    // request with no Content-Length of a method that carries a body (a gRPC call) is taken to stream one.
    hasBody = framing.hasBody() || (!req.isEnded() && !req.headers().contains(HttpHeaders.CONTENT_LENGTH)
        && !RequestKeys.idempotent(req.method()));
    if (hasBody || req.headers().contains(HttpHeaders.UPGRADE)) {
      // Hold the body (or the first tunnel bytes) until a backend is connected.
      req.pause();
    }
    return true;
  }

  private void rejectFraming(Outcome outcome, String why) {
    LOG.debug("refused request from {}: {}", clientIp, why);
    req.response().putHeader(HttpHeaders.CONNECTION, "close");
    fail(outcome);
  }

  // ---- the attempt's leg (the leg does the I/O; the decisions are here) ----

  @Override
  public void connect(Backend b) {
    if (pool.config().protocol().http2()) {
      H2Leg h2 = (H2Leg) leg;
      if (h2 == null) {
        h2 = new H2Leg(this, listener, req, context, h1, peerIp, requestId, plan, grpc, startNanos);
        leg = h2;
        if (mirrorPool != null) {
          h2.mirrorTo(h1, mirrorPool, listener.routes().of(routeLabel));
          mirrorPool = null;
        }
      }
      h2.attempt(pool, b, session, hasBody, buffered);
      return;
    }
    HttpClientAgent client = listener.clients().client(pool.name());
    if (client == null) {
      attempt.release(false);
      fail(Outcome.NO_BACKEND);
      return;
    }
    BackendLeg h1leg = (BackendLeg) leg;
    if (h1leg == null) {
      h1leg = new BackendLeg(this, listener, req, context, peerIp, requestId, plan);
      leg = h1leg;
      if (mirrorPool != null) {
        h1leg.mirrorTo(h1, mirrorPool, listener.routes().of(routeLabel));
        mirrorPool = null;
      }
    }
    h1leg.attempt(client, pool, b, session, hasBody, buffered);
  }

  @Override
  public void refuse(Outcome outcome) {
    fail(outcome);
  }

  @Override
  public boolean finished() {
    return finished;
  }

  @Override
  public void abandoned() {
    attempt.release(false);
  }

  @Override
  public void connectFailed(Throwable cause) {
    attempt.connectFailed(cause);
  }

  @Override
  public void upstreamFailed(Throwable cause) {
    if (finished) {
      return;
    }
    boolean timeout = cause instanceof TimeoutException;
    Outcome outcome = timeout ? Outcome.BACKEND_TIMEOUT : Outcome.BACKEND_ERROR;
    attempt.backend().stats().record(outcome);
    LOG.debug("backend {} failed: {}", attempt.backend(), cause.toString());
    if (leg.responseStarted()) {
      // Part of the answer is out: a gRPC call still gets its status in trailers; anything else loses its stream
      // (HTTP/2: the other streams of the connection are not the backend's fault).
      attempt.release(true);
      finishQuietly(outcome);
      leg.cancel();
      if (grpc) {
        grpcStatus = Integer.toString(Grpc.endWith(req.response(), outcome));
      } else {
        req.response().reset();
      }
      return;
    }
    boolean retryable = !timeout && !hasBody && pool.config().retries().retryIdempotent()
        && RequestKeys.idempotent(req.method());
    if (!attempt.retry(retryable)) {
      fail(outcome);
    }
  }

  @Override
  public void refused(Throwable cause, boolean replayable) {
    if (finished) {
      return;
    }
    LOG.debug("backend {} refused a stream unprocessed: {}", attempt.backend(), cause.toString());
    if (!replayable || !attempt.retryRefused(cause instanceof io.tandem.proxy.h2.H2Connections.GoneAway)) {
      fail(Outcome.BACKEND_ERROR);
    }
  }

  @Override
  public void bodyFailed(Outcome outcome, String why) {
    rejectFraming(outcome, why);
  }

  @Override
  public void responseEnded(int status) {
    attempt.release(status >= 500);
    finish(Outcome.OK, status);
  }

  @Override
  public void tunnelEnded(boolean upgraded) {
    attempt.release(false);
    if (upgraded) {
      finish(Outcome.UPGRADED, 101);
    } else {
      finish(Outcome.CLIENT_ABORTED, 0);
    }
  }

  // ---- endings ----

  private void clientGone() {
    if (finished) {
      return;
    }
    finishQuietly(Outcome.CLIENT_ABORTED);
    if (leg != null) {
      leg.cancel();
    }
  }

  /** Answers with Tandem's own status for {@code outcome}. */
  private void fail(Outcome outcome) {
    if (finished) {
      return;
    }
    HttpServerResponse resp = req.response();
    if (resp.headWritten() || resp.ended()) {
      finishQuietly(outcome);
      req.connection().close();
      return;
    }
    if (grpc) {
      grpcStatus = Integer.toString(Grpc.status(outcome, outcome.status()));
      finish(outcome, 200);
      Grpc.answer(req, outcome, outcome.status(), requestId);
      return;
    }
    ErrorPage page = Rules.page(route, lc.errorPages(), outcome.status());
    ownBytes = page == null ? OwnAnswers.body(outcome).length() : page.body().length();   // before the access log
    finish(outcome, outcome.status());
    // A body not read to its end leaves the connection unusable.
    OwnAnswers.send(req, outcome, requestId, !req.isEnded() && hasBody, page);
  }

  /** Sends the answer a route's action made (refusal, redirect, fixed answer, CORS preflight); no backend is asked. */
  private void answer(Answer a) {
    Answer sent = OwnAnswers.withPage(a, Rules.page(route, lc.errorPages(), 403));
    String hsts = listener.hsts();
    if (hsts != null) {
      req.response().putHeader(HttpsRedirect.STRICT_TRANSPORT_SECURITY, hsts);
    }
    ownBytes = sent.body().length();   // HTTP/2: an unread request body ends with its stream, not the connection
    listener.routes().of(routeLabel).answered(a.outcome());
    finish(a.outcome(), a.status());
    OwnAnswers.send(req, sent, requestId);
  }

  private void finishQuietly(Outcome outcome) {
    finish(outcome, outcome.status());
  }

  private void finish(Outcome outcome, int status) {
    if (finished) {
      return;
    }
    finished = true;
    if (leg != null) {
      leg.stopBody();
    }
    attempt.end(outcome, status);
    Backend backend = attempt.backend();
    listener.finished(outcome, backend, System.nanoTime() - startNanos);
    Grpc.Call call = null;
    if (grpc) {
      String code = grpcStatus != null ? grpcStatus : leg instanceof H2Leg h ? h.grpcStatus() : null;
      call = Grpc.Call.of(req.path(), code);
      listener.grpc().record(call);
    }
    if (listener.accessLog()) {
      long micros = (System.nanoTime() - startNanos) / 1000;
      AccessLog.log(listener.name(), clientIp, req.method().name(), req.uri(), status, outcome,
          pool == null ? null : pool.name(), backend == null ? null : backend.id(), micros, requestId,
          ownBytes + (leg == null ? 0 : leg.bytesOut()), req.isSSL() ? TlsFacts.of(req.connection()) : null,
          plan.target(), call);
    }
  }
}
