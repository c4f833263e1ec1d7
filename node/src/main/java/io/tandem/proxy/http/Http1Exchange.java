package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
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
import io.tandem.proxy.rules.Plan;
import io.tandem.proxy.rules.RouteCounters;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.util.Scheduler;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One request on Tandem's own HTTP/1.1 path, from its parsed head to the end of the answer. This class holds the
 * exchange's state and is the {@link BackendAttempt.Leg} and {@link Http1Upstream.Owner}: it takes a backend
 * connection (kept-alive or new) and sends the request on it, and passes the request body on as it came (counted or
 * checked chunk by chunk, with back-pressure). The rest is done on its fields by static companions, so that one
 * request is still one object: {@link Http1Admission} (limits, redirect, routing, rate limits), {@link Http1OwnAnswer}
 * (what Tandem answers itself), {@link Http1ResponseRelay} (the backend's answer, and tunnels), {@link Http1Failures}
 * (timeouts, failures and retries) and {@link Http1Outcomes} (the one {@link Outcome} and the access log).
 * Runs on the client connection's event loop; never throws for bad traffic: every path ends in
 * {@link Http1Outcomes#finish} with one {@link Outcome}.
 */
final class Http1Exchange implements BackendAttempt.Leg, Http1Upstream.Owner {
  static final Logger LOG = LogManager.getLogger(Http1Exchange.class);

  /** How the request body is framed. */
  enum BodyKind { NONE, LENGTH, CHUNKED }

  final Http1Connection conn;
  final ListenerRuntime listener;
  final ListenerConfig lc;
  final RequestHead head;
  final Channel client;
  final Scheduler scheduler;
  final long startNanos = System.nanoTime();
  final String clientIp;
  final String requestId;
  final BackendAttempt attempt;
  final BodyKind bodyKind;
  final LengthFramer length;
  final ChunkedFramer chunked;

  Http1RequestView view;
  RouteConfig route;
  String routeLabel;
  Plan plan = Plan.NONE;
  PoolSnapshot pool;
  PoolSnapshot mirrorPool;   // where a copy goes, until it is sent
  GzipResponse gzip;         // the response body is compressed as it passes
  SessionAffinity session;
  boolean bufferFirst;
  ByteBuf bufferedBody;
  boolean bodyDone;
  Upstream upstream;
  boolean staleRetried;
  boolean upgrade;
  boolean tunnelled;
  boolean responseStarted;
  boolean clientKeepAlive;
  int status;
  long bytesOut;
  long ownBytes;
  long lastActivity;
  long lastBodyByte;
  Scheduler.Cancellable timer;
  boolean finished;

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
    Http1Admission.start(this);
  }

  /** Picks the backend (the session's, or the balancer's) and sends the request to it. */
  void forward() {
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
      Http1Failures.bodyFailed(this, Outcome.BAD_REQUEST, "invalid chunked body: " + chunked.error());
      return;
    }
    long max = lc.limits().maxBodySize();
    if (bodyKind == BodyKind.CHUNKED && max > 0 && chunked.dataBytes() > max) {
      Http1Failures.bodyFailed(this, Outcome.BODY_TOO_LARGE, "body over " + max + " bytes");
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
  void connectNew(BackendConnections idle, Backend b) {
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
          Http1OwnAnswer.fail(this, Outcome.BACKEND_CONNECT_FAILED);
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
    Http1OwnAnswer.fail(this, outcome);
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
    Http1Failures.armTimer(this);
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

  void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  // ---- the response ----

  @Override
  public void interim(ResponseHead h) {
    Http1ResponseRelay.interim(this, h);
  }

  @Override
  public boolean responseHead(ResponseHead h) {
    return Http1ResponseRelay.responseHead(this, h);
  }

  @Override
  public void responseBody(ByteBuf slice) {
    Http1ResponseRelay.responseBody(this, slice);
  }

  @Override
  public void backendReadComplete() {
    if (responseStarted || tunnelled) {
      client.flush();
    }
  }

  @Override
  public void responseEnded(boolean reusable) {
    Http1ResponseRelay.responseEnded(this, reusable);
  }

  @Override
  public void switched(ResponseHead h) {
    Http1ResponseRelay.switched(this, h);
  }

  @Override
  public void tunnelClosed() {
    if (!finished) {
      Http1ResponseRelay.endTunnel(this);
      client.close();
    }
  }

  // ---- failures ----

  @Override
  public void upstreamFailed(Throwable cause, boolean anyResponseByte) {
    Http1Failures.upstreamFailed(this, cause, anyResponseByte);
  }

  /** The client went away. */
  void clientGone() {
    Http1Failures.clientGone(this);
  }

  RouteCounters.Counts counts() {
    return listener.routes().of(routeLabel);
  }
}
