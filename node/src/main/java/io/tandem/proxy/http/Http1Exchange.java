package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tandem.config.ErrorPage;
import io.tandem.config.ListenerConfig;
import io.tandem.config.RouteConfig;
import io.tandem.proxy.BackendAttempt;
import io.tandem.util.Outcome;
import io.tandem.proxy.h1.BackendConnections;
import io.tandem.proxy.h1.ChunkedFramer;
import io.tandem.proxy.h1.HeadWriter;
import io.tandem.proxy.h1.HeaderEdits;
import io.tandem.proxy.h1.HeaderNames;
import io.tandem.proxy.h1.LengthFramer;
import io.tandem.proxy.h1.RequestHead;
import io.tandem.proxy.h1.ResponseHead;
import io.tandem.proxy.rules.Answer;
import io.tandem.proxy.rules.Plan;
import io.tandem.proxy.rules.RouteCounters;
import io.tandem.proxy.rules.Rules;
import io.tandem.proxy.rules.Split;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.upstream.Router;
import io.tandem.upstream.RoutingSnapshot;
import io.tandem.util.Scheduler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One request on Tandem's own HTTP/1.1 path, from its parsed head to the end of the answer: the HTTP decisions
 * (limits, redirect, routing, rate limits, which failures may be retried, what to answer), the request body passed on
 * as it came (counted or checked chunk by chunk, with back-pressure), and the response relayed from its
 * {@link Http1Upstream} unchanged but for the hop-by-hop headers. The backend choice is a {@link BackendAttempt}.
 * Runs on the client connection's event loop; never throws for bad traffic: every path ends in {@link #finish} with
 * one {@link Outcome}.
 */
final class Http1Exchange implements BackendAttempt.Leg, Http1Upstream.Owner {
  private static final Logger LOG = LogManager.getLogger(Http1Exchange.class);

  private enum BodyKind { NONE, LENGTH, CHUNKED }

  private final Http1Connection conn;
  private final ListenerRuntime listener;
  private final ListenerConfig lc;
  private final RequestHead head;
  private final Channel client;
  private final Scheduler scheduler;
  private final long startNanos = System.nanoTime();
  private final String clientIp;
  private final String requestId;
  private final BackendAttempt attempt;
  private final BodyKind bodyKind;
  private final LengthFramer length;
  private final ChunkedFramer chunked;

  private Http1RequestView view;
  private RouteConfig route;
  private String routeLabel;
  private Plan plan = Plan.NONE;
  private PoolSnapshot pool;
  private PoolSnapshot mirrorPool;   // where a copy goes, until it is sent
  private GzipResponse gzip;         // the response body is compressed as it passes
  private SessionAffinity session;
  private boolean bufferFirst;
  private ByteBuf bufferedBody;
  private boolean bodyDone;
  private Upstream upstream;
  private boolean staleRetried;
  private boolean upgrade;
  private boolean tunnelled;
  private boolean responseStarted;
  private boolean clientKeepAlive;
  private int status;
  private long bytesOut;
  private long ownBytes;
  private long lastActivity;
  private long lastBodyByte;
  private Scheduler.Cancellable timer;
  private boolean finished;

  Http1Exchange(Http1Connection conn, RequestHead head) {
    this.conn = conn;
    this.listener = conn.loop().runtime();
    this.lc = listener.config();
    this.head = head;
    this.client = conn.channel();
    this.scheduler = conn.loop().scheduler();
    // A trusted proxy's header may name the real client; the connection's own (or its PROXY header's) is the hop.
    this.clientIp = lc.clientAddress() == null ? conn.clientIp()
        : ClientAddress.of(lc.clientAddress(), conn.clientIp(), head.get(lc.clientAddress().header()));
    String incomingId = lc.trustForwarded() ? head.get(HeaderNames.X_REQUEST_ID) : null;
    this.requestId = incomingId != null && !incomingId.isEmpty() ? incomingId : listener.nextRequestId();
    this.attempt = new BackendAttempt(listener, conn.loop().executor(), scheduler);
    if (head.chunked()) {
      bodyKind = BodyKind.CHUNKED;
      chunked = new ChunkedFramer();
      length = null;
    } else if (head.contentLength() > 0) {
      bodyKind = BodyKind.LENGTH;
      length = new LengthFramer(head.contentLength());
      chunked = null;
    } else {
      bodyKind = BodyKind.NONE;
      length = null;
      chunked = null;
      bodyDone = true;
    }
  }

  /** Whether the whole request body has been read from the client (or there is none). */
  boolean bodyDone() {
    return bodyDone;
  }

  void start() {
    ListenerConfig.Limits limits = lc.limits();
    if (head.headerCount() > limits.maxHeaderCount()) {
      reject(Outcome.TOO_MANY_HEADERS, "more than " + limits.maxHeaderCount() + " header fields");
      return;
    }
    long max = limits.maxBodySize();
    if (max > 0 && head.contentLength() > max) {
      reject(Outcome.BODY_TOO_LARGE, "Content-Length " + head.contentLength() + " over " + max);
      return;
    }
    int httpsPort = lc.redirectToHttps();
    if (httpsPort > 0) {
      redirect(httpsPort);
      return;
    }
    RoutingSnapshot snap = listener.registry().snapshot();
    view = new Http1RequestView(head, conn.tls(), clientIp,
        clientIp.equals(conn.clientIp()) ? conn.clientPort() : 0, requestId);
    Router router = snap.router(listener.name());
    route = router.match(view);
    routeLabel = router.label(route);
    String poolName = route.split().isEmpty() ? route.pool()
        : Split.pick(route, snap, head.get(HeaderNames.COOKIE), clientIp, listener.affinity());
    plan = Rules.plan(route, poolName, view);
    if (plan.answer() != null) {
      answer(plan.answer());
      return;
    }
    if (!route.split().isEmpty()) {
      counts().split(poolName);
    }
    pool = poolName == null ? null : snap.pool(poolName);
    if (pool == null) {
      fail(Outcome.NO_BACKEND);
      return;
    }
    RateLimitGate.Refusal refused = RateLimitGate.check(listener.rateLimits(), listener.name(), view, poolName,
        clientIp);
    if (refused != null) {
      List<String> extra = new ArrayList<>();
      refused.headers((n, v) -> {
        extra.add(n);
        extra.add(v);
      });
      fail(Outcome.RATE_LIMITED, extra.toArray(new String[0]));
      return;
    }
    if (!attempt.admit(pool)) {
      fail(Outcome.CIRCUIT_OPEN);
      return;
    }
    String upgradeTo = head.upgrade() ? head.get(HeaderNames.UPGRADE) : null;
    // h2c is an offer Tandem declines (its headers are hop-by-hop and dropped); anything else, e.g. websocket, tunnels.
    upgrade = upgradeTo != null && !upgradeTo.trim().equalsIgnoreCase("h2c");
    // A small body is read whole before a backend is chosen, so that a client trickling it (R.U.D.Y.) holds only its
    // own connection; one that waits for 100 Continue, an upgrade, and larger or chunked bodies stream.
    bufferFirst = bodyKind == BodyKind.LENGTH && head.contentLength() <= BodyBuffer.MAX_BUFFERED
        && !head.expectContinue() && !upgrade;
    RouteConfig.Mirror mirror = route.mirror();
    if (mirror != null && !upgrade && (bodyKind == BodyKind.NONE || (bufferFirst && head.contentLength() <= mirror.maxBody()))
        && Mirror.drawn(mirror.percent())) {
      mirrorPool = snap.pool(mirror.pool());   // a body streamed or over max-body is not held for a copy
    }
    if (bufferFirst) {
      lastActivity = System.nanoTime();
      timer = scheduler.schedule(lc.timeouts().requestBody(), () -> {
        if (!finished && bufferedBody == null) {
          reject(Outcome.CLIENT_TIMEOUT, "request body slower than the body timeout");
        }
      });
      return;   // the connection feeds the input next; forward() once the body is in
    }
    forward();
  }

  /** Picks the backend (the session's, or the balancer's) and sends the request to it. */
  private void forward() {
    session = new SessionAffinity(pool, listener.affinity(), head.get(HeaderNames.COOKIE), clientIp);
    attempt.start(RequestKeys.pickContext(pool.config(), view, clientIp), session, this);
  }

  // ---- the client's input: the request body ----

  /** The connection's input after the head: takes the bytes of this request's body, leaves the rest. */
  void input(ByteBuf in) {
    if (finished || bodyDone) {
      return;
    }
    if (bufferFirst) {
      if (in.readableBytes() >= head.contentLength()) {
        cancelTimer();
        bufferedBody = in.readRetainedSlice((int) head.contentLength());
        length.scan(bufferedBody);
        bodyDone = true;
        forward();
      }
      return;
    }
    if (upstream == null) {
      if (in.readableBytes() > BodyBuffer.MAX_BUFFERED) {
        conn.pauseReading(true);   // until the backend connection is there
      }
      return;
    }
    int n = bodyKind == BodyKind.LENGTH ? length.scan(in) : chunked.scan(in);
    if (n < 0) {
      bodyFailed(Outcome.BAD_REQUEST, "invalid chunked body: " + chunked.error());
      return;
    }
    long max = lc.limits().maxBodySize();
    if (bodyKind == BodyKind.CHUNKED && max > 0 && chunked.dataBytes() > max) {
      bodyFailed(Outcome.BODY_TOO_LARGE, "body over " + max + " bytes");
      return;
    }
    if (n > 0) {
      lastActivity = System.nanoTime();
      lastBodyByte = lastActivity;
      upstream.write(in.readRetainedSlice(n));
    }
    if (bodyKind == BodyKind.LENGTH ? length.done() : chunked.done()) {
      bodyDone = true;
      upstream.flush();
    } else if (!upstream.writable()) {
      upstream.flush();
      // Flushing may have made it writable again (and told us so already): look once more.
      conn.pauseReading(!upstream.writable());
    }
  }

  /** A read from the client completed: what was written to the backend goes out. */
  void clientReadComplete() {
    if (upstream != null && !bodyDone) {
      upstream.flush();
    }
  }

  void clientWritabilityChanged(boolean writable) {
    if (upstream != null && responseStarted) {
      upstream.pauseReading(!writable);
    }
  }

  @Override
  public void backendWritabilityChanged(boolean writable) {
    if ((!bodyDone || tunnelled) && upstream != null) {
      conn.pauseReading(!writable);
    }
  }

  // ---- the attempt's leg ----

  @Override
  public void connect(Backend b) {
    if (pool.config().protocol().http2()) {
      connectNew(null, b);
      return;
    }
    BackendConnections idle = conn.loop().connections(pool.config(), client);
    Channel ch = idle.take(b.inetAddress());
    if (ch != null) {
      send(Http1Upstream.of(ch));
      return;
    }
    connectNew(idle, b);
  }

  /** A new connection to {@code b}; for an HTTP/2 pool, a new stream on the loop's connections ({@code idle} unused). */
  private void connectNew(BackendConnections idle, Backend b) {
    if (pool.config().protocol().http2()) {
      H2Upstream.open(conn.loop().h2(pool.config(), client, listener.clients().ssl(pool.name())), b,
          pool.config().tls() != null, this::connected);
      return;
    }
    BackendDial.open(listener, idle, pool, b, this::connected);
  }

  private void connected(Upstream up, Throwable failure) {
    if (finished) {
      up.discard();
      attempt.release(false);
      return;
    }
    if (failure != null) {
      up.discard();
      if (failure instanceof io.tandem.proxy.h2.H2Connections.GoneAway) {
        // The backend said it was going away: elsewhere, outside the retry budget.
        if (!attempt.retryRefused(true)) {
          fail(Outcome.BACKEND_CONNECT_FAILED);
        }
        return;
      }
      attempt.connectFailed(failure);
      return;
    }
    send(up);
  }

  @Override
  public void refuse(Outcome outcome) {
    fail(outcome);
  }

  /** Sends the head (and what there is of the body) on {@code up}. */
  private void send(Upstream up) {
    upstream = up;
    up.begin(this, head.isHead());
    String proto = listener.tls() != null ? "https" : "http";
    ByteBuf out = HeadWriter.request(client.alloc(), head, conn.clientIp(), proto, requestId, upgrade, plan.target(),
        requestEdits());
    lastActivity = System.nanoTime();
    lastBodyByte = lastActivity;
    cancelTimer();
    armTimer();
    if (mirrorPool != null) {
      PoolSnapshot shadow = mirrorPool;
      mirrorPool = null;   // once, whatever retries follow
      Mirror.send(listener, conn.loop(), client, shadow, counts(), out.retainedDuplicate(),
          bufferedBody == null ? null : bufferedBody.retainedDuplicate());
    }
    if (bufferedBody != null) {
      up.write(out);
      up.writeAndFlush(bufferedBody.retainedDuplicate());
    } else if (bodyDone) {
      up.writeAndFlush(out);
    } else {
      up.write(out);
      up.flush();
      conn.pauseReading(false);
      conn.feed();
    }
  }

  /** The route's request edits, with the pool's {@code host-header} when the route did not set a Host itself. */
  private HeaderEdits requestEdits() {
    HeaderEdits edits = plan.request();
    String host = pool.config().hostHeader();
    if (host == null || (edits != null && edits.adds("Host"))) {
      return edits;
    }
    edits = edits != null ? edits : new HeaderEdits();   // this request's own: a retry sets the same again
    edits.set("Host", host);
    return edits;
  }

  /**
   * One timer per exchange, re-armed lazily: the backend's silence ({@code timeouts.response}: no byte either way)
   * and, while the body streams, the client's ({@code timeouts.request-body} between two pieces).
   */
  private void armTimer() {
    long responseTimeout = pool.config().timeouts().response().toNanos();
    long bodyTimeout = lc.timeouts().requestBody().toNanos();
    long due = lastActivity + responseTimeout;
    if (!bodyDone) {
      due = Math.min(due, lastBodyByte + bodyTimeout);
    }
    timer = scheduler.schedule(java.time.Duration.ofNanos(Math.max(1_000_000, due - System.nanoTime())), () -> {
      timer = null;
      if (finished || tunnelled || upstream == null) {
        return;
      }
      long now = System.nanoTime();
      if (!bodyDone && now - lastBodyByte >= bodyTimeout) {
        bodyFailed(Outcome.CLIENT_TIMEOUT, "request body stalled");
      } else if (now - lastActivity >= responseTimeout) {
        upstreamFailed(new TimeoutException("no response within " + pool.config().timeouts().response()), false);
      } else {
        armTimer();
      }
    });
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  // ---- the response ----

  @Override
  public void interim(ResponseHead h) {
    lastActivity = System.nanoTime();
    boolean relay = h.status() == 100 ? head.expectContinue() : head.versionMinor() == 1;
    if (relay && !responseStarted && !finished) {
      client.writeAndFlush(HeadWriter.response(client.alloc(), h, false, null, null, null), client.voidPromise());
    }
  }

  @Override
  public boolean responseHead(ResponseHead h) {
    lastActivity = System.nanoTime();
    if (finished) {
      return true;
    }
    if (head.versionMinor() == 0 && h.body() == ResponseHead.Body.CHUNKED) {
      upstreamFailed(new IOException("chunked response to an HTTP/1.0 request"), true);
      return true;
    }
    responseStarted = true;
    status = h.status();
    clientKeepAlive = head.keepAlive() && bodyDone && !conn.draining() && h.body() != ResponseHead.Body.CLOSE;
    String connection = !clientKeepAlive ? "close" : head.versionMinor() == 0 ? "keep-alive" : null;
    Backend backend = attempt.backend();
    String setCookie = session.cookieToSet(backend);
    CompletableFuture<Void> stored = session.record(() -> setCookies(h), backend).toCompletableFuture();
    HeaderEdits edits = plan.response();
    gzip = GzipResponse.of(plan.compress(), head.versionMinor() == 1, h, client.alloc());
    if (gzip != null) {
      edits = GzipResponse.fields(edits == null ? new HeaderEdits() : edits, h.get("etag"));
    }
    ByteBuf out = HeadWriter.response(client.alloc(), h, false, connection, listener.hsts(), setCookie, edits,
        conn.http3() ? null : listener.altSvc());
    if (stored.isDone()) {
      client.write(out, client.voidPromise());
      return true;
    }
    // A newly learned session must be in the shared table before the client can send its next request.
    stored.whenComplete((v, err) -> client.eventLoop().execute(() -> {
      if (finished) {
        out.release();
        return;
      }
      client.write(out, client.voidPromise());
      upstream.resume();
    }));
    return false;
  }

  private static List<String> setCookies(ResponseHead h) {
    List<String> values = new ArrayList<>(2);
    for (int i = h.indexOf(HeaderNames.SET_COOKIE); i >= 0; i = h.indexOf(HeaderNames.SET_COOKIE, i + 1)) {
      values.add(h.value(i));
    }
    return values;
  }

  @Override
  public void responseBody(ByteBuf slice) {
    lastActivity = System.nanoTime();
    if (finished) {
      slice.release();
      return;
    }
    if (gzip != null) {
      slice = gzip.piece(slice);
      if (slice == null) {
        return;
      }
    }
    bytesOut += slice.readableBytes();
    client.write(slice, client.voidPromise());
    if (!client.isWritable()) {
      client.flush();
      upstream.pauseReading(!client.isWritable());
    }
  }

  @Override
  public void backendReadComplete() {
    if (responseStarted || tunnelled) {
      client.flush();
    }
  }

  @Override
  public void responseEnded(boolean reusable) {
    if (finished) {
      if (upstream != null) {
        upstream.discard();
        upstream = null;
      }
      return;
    }
    Upstream up = upstream;
    upstream = null;
    if (gzip != null) {
      ByteBuf last = gzip.last();
      bytesOut += last.readableBytes();
      client.write(last, client.voidPromise());
      gzip = null;
    }
    // A connection is reused only after a complete, clean exchange: the request's body was sent whole too.
    up.release(reusable && bodyDone);
    attempt.release(status >= 500);
    finish(Outcome.OK, status);
    client.flush();
    conn.exchangeEnded(clientKeepAlive);
  }

  @Override
  public void switched(ResponseHead h) {
    if (finished) {
      return;
    }
    if (!upgrade) {
      upstreamFailed(new IOException("101 to a request that did not ask to switch protocols"), true);
      return;
    }
    responseStarted = true;
    tunnelled = true;
    status = 101;
    cancelTimer();
    client.writeAndFlush(HeadWriter.response(client.alloc(), h, true, "upgrade", null, null),
        client.voidPromise());
    // Bytes both ways as they come; a side that cannot take more stops the other's reading until it can.
    Upstream up = upstream;
    Channel backend = up.channel();
    conn.tunnel(buf -> {
      backend.writeAndFlush(buf, backend.voidPromise());   // the connection noted the read
      if (!backend.isWritable()) {
        conn.pauseReading(true);
      }
    });
    up.tunnel(buf -> {
      conn.touch();
      client.writeAndFlush(buf, client.voidPromise());
      if (!client.isWritable()) {
        up.pauseReading(true);
      }
    });
  }

  @Override
  public void tunnelClosed() {
    if (!finished) {
      endTunnel();
      client.close();
    }
  }

  private void endTunnel() {
    attempt.release(false);
    finish(Outcome.UPGRADED, 101);
  }

  // ---- failures ----

  @Override
  public void upstreamFailed(Throwable cause, boolean anyResponseByte) {
    if (finished) {
      return;
    }
    Upstream up = upstream;
    boolean timeout = cause instanceof TimeoutException;
    if (up != null) {
      upstream = null;
      up.discard();
    }
    boolean replayable = bodyKind == BodyKind.NONE || bufferedBody != null;
    if (!timeout && !anyResponseByte && up != null && up.reused() && replayable && !staleRetried) {
      // A kept-alive connection the backend closed as the request went out: once more on a fresh connection.
      staleRetried = true;
      LOG.debug("stale backend connection to {}: {}", attempt.backend(), cause.toString());
      connectNew(pool.config().protocol().http2() ? null : conn.loop().connections(pool.config(), client),
          attempt.backend());
      return;
    }
    Outcome outcome = timeout ? Outcome.BACKEND_TIMEOUT : Outcome.BACKEND_ERROR;
    attempt.backend().stats().record(outcome);
    LOG.debug("backend {} failed: {}", attempt.backend(), cause.toString());
    if (responseStarted) {
      // Part of the answer is out: the only honest thing left is to cut the client connection.
      attempt.release(true);
      finish(outcome, outcome.status());
      client.close();
      return;
    }
    cancelTimer();
    boolean retryable = !timeout && bodyKind == BodyKind.NONE && pool.config().retries().retryIdempotent()
        && RequestKeys.idempotent(head.method());
    if (!attempt.retry(retryable)) {
      fail(outcome);
    }
  }

  private void bodyFailed(Outcome outcome, String why) {
    if (upstream != null) {
      Upstream up = upstream;
      upstream = null;
      up.discard();
      attempt.release(false);
    }
    reject(outcome, why);
  }

  /** The client went away. */
  void clientGone() {
    if (finished) {
      return;
    }
    if (tunnelled) {
      endTunnel();
    } else {
      finish(Outcome.CLIENT_ABORTED, 0);
    }
    if (upstream != null) {
      Upstream up = upstream;
      upstream = null;
      up.discard();
    }
  }

  // ---- Tandem's own answers ----

  /** Refuses a request whose framing or size is not acceptable; the connection closes after the answer. */
  private void reject(Outcome outcome, String why) {
    LOG.debug("refused request from {}: {}", clientIp, why);
    bodyDone = false;   // whatever follows on the connection can no longer be trusted
    fail(outcome);
  }

  /** Answers with Tandem's own status for {@code outcome} ({@code extra}: header names and values). */
  private void fail(Outcome outcome, String... extra) {
    if (finished) {
      return;
    }
    if (responseStarted) {
      finish(outcome, outcome.status());
      client.close();
      return;
    }
    String hsts = listener.hsts();
    if (hsts != null) {
      String[] more = java.util.Arrays.copyOf(extra, extra.length + 2);
      more[extra.length] = "strict-transport-security";
      more[extra.length + 1] = hsts;
      extra = more;
    }
    boolean close = !bodyDone || !head.keepAlive() || head.versionMinor() == 0 || conn.draining();
    ErrorPage page = Rules.page(route, lc.errorPages(), outcome.status());
    ByteBuf out = OwnAnswers.bytes(client.alloc(), outcome, page, requestId, close, extra);
    ownBytes = page == null ? OwnAnswers.body(outcome).length() : page.body().length();   // before the access log
    finish(outcome, outcome.status());
    client.writeAndFlush(out, client.voidPromise());
    conn.exchangeEnded(!close);
  }

  /** Sends the answer a route's action made (refusal, redirect, fixed answer, CORS preflight); no backend is asked. */
  private void answer(Answer a) {
    // A body not read yet leaves the connection unusable: close it after the answer.
    boolean close = bodyKind != BodyKind.NONE || !head.keepAlive() || head.versionMinor() == 0 || conn.draining();
    Answer sent = OwnAnswers.withPage(a, Rules.page(route, lc.errorPages(), 403));
    String hsts = listener.hsts();
    List<String> extra = hsts == null ? List.of() : List.of("strict-transport-security", hsts);
    ByteBuf out = OwnAnswers.bytes(client.alloc(), sent, requestId, close, extra, head.isHead());
    ownBytes = head.isHead() ? 0 : sent.body().length();
    counts().answered(a.outcome());
    finish(a.outcome(), a.status());
    client.writeAndFlush(out, client.voidPromise());
    conn.exchangeEnded(!close);
  }

  private void redirect(int httpsPort) {
    boolean close = bodyKind != BodyKind.NONE || !head.keepAlive() || head.versionMinor() == 0 || conn.draining();
    String host = head.host();
    String location = HttpsRedirect.location(host == null || host.isEmpty() ? lc.host()
        : io.tandem.util.HostHeader.withoutPort(host), httpsPort, head.uri());
    listener.record(Outcome.REDIRECTED);
    finished = true;
    if (listener.accessLog()) {
      AccessLog.log(listener.name(), clientIp, head.method(), head.uri(), 308, Outcome.REDIRECTED, null, null, 0,
          null, 0, null);
    }
    client.writeAndFlush(HttpsRedirect.bytes(client.alloc(), location, close), client.voidPromise());
    conn.exchangeEnded(!close);
  }

  private RouteCounters.Counts counts() {
    return listener.routes().of(routeLabel);
  }

  private void finish(Outcome outcome, int answered) {
    if (finished) {
      return;
    }
    finished = true;
    if (gzip != null) {
      gzip.close();
      gzip = null;
    }
    cancelTimer();
    attempt.end(outcome, answered);
    Backend backend = attempt.backend();
    listener.finished(outcome, backend, System.nanoTime() - startNanos);
    if (listener.accessLog()) {
      long micros = (System.nanoTime() - startNanos) / 1000;
      AccessLog.log(listener.name(), clientIp, head.method(), head.uri(), answered, outcome,
          pool == null ? null : pool.name(), backend == null ? null : backend.id(), micros, requestId,
          ownBytes + bytesOut, conn.tls(), plan.target());
    }
    if (bufferedBody != null) {
      bufferedBody.release();
      bufferedBody = null;
    }
  }
}
