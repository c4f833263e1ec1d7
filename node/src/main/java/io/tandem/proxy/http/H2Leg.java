package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.tandem.util.Outcome;
import io.tandem.proxy.h2.H2Connections;
import io.tandem.proxy.h2.H2Stream;
import io.tandem.proxy.rules.Plan;
import io.tandem.proxy.rules.RouteCounters;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The backend side of an HTTP/2 front's {@link Exchange} when the pool speaks HTTP/2: each request is a stream of
 * its own on the loop's {@link H2Connections}, so the calls of one client connection are balanced one by one. The
 * head goes out as HTTP/2 headers (rewritten by {@link ForwardingHeaders}), the body as it comes (client and stream
 * windows give back-pressure both ways: streaming gRPC calls of every kind), the response's headers, data and
 * trailers ({@code grpc-status}) back to the client as they come.
 *
 * <p>Until the response head arrives it keeps a copy of the body sent (up to {@value #REPLAY_LIMIT} bytes), so a
 * stream the backend refused unprocessed (GOAWAY above its id, REFUSED_STREAM) can be sent again elsewhere whatever
 * its method: a backend shutting down gracefully loses no call. One timer: the backend's silence
 * ({@code timeouts.response}), the client's body stalls ({@code timeouts.request-body}) and a gRPC call's deadline
 * ({@code grpc-timeout}). Event-loop confined; it decides nothing (see {@link BackendLeg.Owner}).
 */
final class H2Leg implements UpstreamLeg, H2Stream.Owner {
  static final int REPLAY_LIMIT = 64 * 1024;
  private static final long DEADLINE_SLACK_NANOS = 20_000_000;
  private static final AsciiString TE = AsciiString.cached("te");
  private static final AsciiString TRAILERS = AsciiString.cached("trailers");
  private static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
  private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");

  private final BackendLeg.Owner owner;
  private final ListenerRuntime listener;
  private final HttpServerRequest req;
  private final Context context;
  private final Http1Loop loop;
  private final String peerIp;   // the hop X-Forwarded-For and Forwarded get
  private final String requestId;
  private final Plan plan;
  private final boolean grpc;
  private final long deadline;   // nanoTime, or 0 for none

  private PoolSnapshot pool;
  private PoolSnapshot mirrorPool;
  private RouteCounters.Counts mirrorCounts;
  private SessionAffinity session;
  private Backend backend;
  private H2Connections.Wait wait;
  private H2Stream stream;
  private boolean streaming;      // the body's handlers are set
  private boolean bodyEnded;
  private long bodyBytes;
  private List<ByteBuf> replay;   // the body sent so far, while a refusal may still be retried
  private int replayBytes;
  private boolean replayLost;
  private Buffer buffered;
  private boolean responseStarted;
  private int status;
  private String grpcStatus;
  private Gzip gzip;
  private long bytesOut;
  private long lastActivity;
  private long lastBodyByte;
  private long timer = -1;

  H2Leg(BackendLeg.Owner owner, ListenerRuntime listener, HttpServerRequest req, Context context, Http1Loop loop,
      String peerIp, String requestId, Plan plan, boolean grpc, long startNanos) {
    this.owner = owner;
    this.listener = listener;
    this.req = req;
    this.context = context;
    this.loop = loop;
    this.peerIp = peerIp;
    this.requestId = requestId;
    this.plan = plan;
    this.grpc = grpc;
    long timeout = grpc ? Grpc.timeoutNanos(req.headers().get(GRPC_TIMEOUT)) : -1;
    this.deadline = timeout < 0 ? 0 : startNanos + Math.min(timeout, Long.MAX_VALUE / 4);
  }

  /**
   * Sends the request to {@code b} on a stream of the pool's HTTP/2 connections. {@code buffered} is the whole body
   * when it was read first; otherwise a body ({@code hasBody}) streams.
   */
  void attempt(PoolSnapshot pool, Backend b, SessionAffinity session, boolean hasBody, Buffer buffered) {
    this.pool = pool;
    this.session = session;
    this.backend = b;
    this.buffered = buffered;
    Channel client = ((ConnectionBase) req.connection()).channel();
    wait = loop.h2(pool.config(), client, listener.clients().ssl(pool.name())).stream(b.inetAddress(), this,
        (s, err) -> {
          wait = null;
          if (owner.finished()) {
            if (s != null) {
              s.cancel();
            }
            owner.abandoned();
          } else if (err instanceof H2Connections.GoneAway) {
            owner.refused(err, replayable());   // the backend said it was going away: elsewhere, outside the budget
          } else if (err != null) {
            owner.connectFailed(err);
          } else {
            send(s, hasBody);
          }
        });
  }

  @Override
  public void mirrorTo(Http1Loop loop, PoolSnapshot shadow, RouteCounters.Counts counts) {
    mirrorPool = shadow;
    mirrorCounts = counts;
  }

  @Override
  public boolean responseStarted() {
    return responseStarted;
  }

  @Override
  public long bytesOut() {
    return bytesOut;
  }

  /** The backend's {@code grpc-status} (trailers, or the head of a trailers-only answer), or null. */
  String grpcStatus() {
    return grpcStatus;
  }

  /** Whether the body sent so far can be sent again (all of it is at hand). */
  boolean replayable() {
    return buffered != null || !streaming || !replayLost;
  }

  @Override
  public void cancel() {
    if (wait != null) {
      wait.cancel();
      wait = null;
    }
    if (stream != null) {
      H2Stream s = stream;
      stream = null;
      s.cancel();
    }
  }

  @Override
  public void stopBody() {
    cancelTimer();
    dropReplay();
    if (gzip != null) {
      gzip.close();
      gzip = null;
    }
  }

  // ---- request ----

  private void send(H2Stream s, boolean hasBody) {
    stream = s;
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    ForwardingHeaders.prepare(req, out, peerIp, requestId, false, listener.tls() != null,
        listener.config().limits().underscoresInHeaders());
    BackendLeg.apply(plan.request(), out);
    String poolHost = pool.config().hostHeader();
    if (poolHost != null && (plan.request() == null || !plan.request().adds("Host"))) {
      out.set(HttpHeaders.HOST, poolHost);
    }
    if (mirrorPool != null) {
      PoolSnapshot shadow = mirrorPool;
      mirrorPool = null;   // once, whatever retries follow
      Mirror.sendCopy(listener, loop, req, plan, out, shadow, mirrorCounts, buffered);
    }
    boolean end = buffered == null && (!hasBody || (bodyEnded && replayBytes == 0));
    s.headers(headers(out), end);
    lastActivity = System.nanoTime();
    lastBodyByte = lastActivity;
    if (buffered != null) {
      s.data(Unpooled.wrappedBuffer(buffered.getBytes()), true);
    } else if (!end) {
      if (replay != null) {
        for (ByteBuf piece : replay) {
          s.data(piece.retainedDuplicate(), false);
        }
      }
      if (bodyEnded) {
        s.data(Unpooled.EMPTY_BUFFER, true);
      } else if (!streaming) {
        streamBody();
      } else {
        req.resume();
      }
    } else if (!req.isEnded()) {
      req.resume();   // a body nobody announced is not read (the stream ends with the answer)
    }
    s.flush();
    armTimer();
  }

  /** The backend request's head: pseudo-headers, then the end-to-end fields in lower case. */
  private Http2Headers headers(MultiMap out) {
    DefaultHttp2Headers h = new DefaultHttp2Headers(false, out.size() + 4);
    h.method(req.method().name());
    h.scheme(pool.config().tls() != null ? "https" : "http");
    h.path(plan.target() != null ? plan.target() : req.uri());
    String host = out.get(HttpHeaders.HOST);
    if (host != null) {
      h.authority(host);
    }
    out.forEach((name, value) -> {   // Vert.x's entries as they are (a for-each would wrap each one)
      if (!name.equalsIgnoreCase("host")) {
        h.add(lowerCase(name), value);
      }
    });
    h.set(TE, TRAILERS);   // the client is HTTP/2 and takes trailers: the one TE value HTTP/2 allows, as gRPC asks
    if (deadline != 0) {
      // What is left of the client's deadline, rounded up: the backend's expires no earlier than Tandem's.
      long left = Math.max(1, (deadline - System.nanoTime() + 999_999) / 1_000_000);
      h.set(GRPC_TIMEOUT, left + "m");
    }
    return h;
  }

  /** HTTP/2 field names are lower case; a client's already are, a route's edits may not be. */
  private static CharSequence lowerCase(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return AsciiString.of(name).toLowerCase();
      }
    }
    return name;
  }

  private void streamBody() {
    streaming = true;
    replay = new ArrayList<>(4);
    long max = listener.config().limits().maxBodySize();
    req.handler(buf -> {
      lastBodyByte = System.nanoTime();
      lastActivity = lastBodyByte;
      bodyBytes += buf.length();
      if (max > 0 && bodyBytes > max) {
        req.handler(null);
        bodyFailed(Outcome.BODY_TOO_LARGE, "body over " + max + " bytes");
        return;
      }
      ByteBuf piece = ((BufferInternal) buf).getByteBuf();
      keep(piece);
      H2Stream s = stream;
      if (s == null) {
        req.pause();   // between attempts: kept for the next one, if at all
        return;
      }
      s.data(piece.retain(), false);
      s.flush();
      if (!s.writable()) {
        req.pause();
      }
    });
    req.endHandler(v -> {
      bodyEnded = true;
      H2Stream s = stream;
      if (s != null) {
        s.data(Unpooled.EMPTY_BUFFER, true);
        s.flush();
      }
    });
    req.exceptionHandler(t -> bodyFailed(Outcome.BAD_REQUEST, "request body: " + t.getMessage()));
    req.resume();
  }

  private void keep(ByteBuf piece) {
    if (replayLost || responseStarted) {
      return;
    }
    if (replayBytes + piece.readableBytes() > REPLAY_LIMIT) {
      dropReplay();
      replayLost = true;
      return;
    }
    replayBytes += piece.readableBytes();
    replay.add(piece.retainedDuplicate());
  }

  private void dropReplay() {
    if (replay != null) {
      replay.forEach(ByteBuf::release);
      replay.clear();
    }
  }

  private void bodyFailed(Outcome outcome, String why) {
    if (owner.finished()) {
      return;
    }
    cancel();
    owner.bodyFailed(outcome, why);
    owner.abandoned();
  }

  @Override
  public void writabilityChanged(boolean writable) {
    if (writable && streaming && !bodyEnded) {
      req.resume();
    }
  }

  @Override
  public void readComplete() {
  }

  // ---- response ----

  @Override
  public void responseHeaders(Http2Headers h, boolean endStream) {
    lastActivity = System.nanoTime();
    if (owner.finished()) {
      return;
    }
    int code = statusOf(h);
    if (code < 0) {
      streamFailed(new java.io.IOException("backend response without a valid :status"), false);
      return;
    }
    if (code < 200) {
      if (code == 100 && req.headers().contains(HttpHeaders.EXPECT) && !responseStarted) {
        req.response().writeContinue();
      }
      return;
    }
    responseStarted = true;
    status = code;
    dropReplay();
    replayLost = true;
    HttpServerResponse resp = req.response();
    MultiMap out = resp.headers();
    // Straight into the client's response: HTTP/2 has no Connection header to name others, so the fixed hop-by-hop
    // names are all there is to drop.
    for (Map.Entry<CharSequence, CharSequence> e : h) {
      CharSequence name = e.getKey();
      if (name.length() > 0 && name.charAt(0) != ':' && !ForwardingHeaders.hopByHop(name)) {
        out.add(name, e.getValue());
      }
    }
    CharSequence g = h.get(GRPC_STATUS);
    grpcStatus = g == null ? null : g.toString();
    BackendLeg.apply(plan.response(), out);
    if (!grpc && !endStream && plan.compress() != null) {
      gzip = BackendLeg.compression(plan, code, out, out);
    }
    HttpsRedirect.listenerFields(listener, out);
    resp.setStatusCode(code);
    CompletableFuture<Void> stored = session.record(out, backend).toCompletableFuture();
    if (!stored.isDone()) {
      // A newly learned session must be in the shared table before the client can send its next request.
      H2Stream s = stream;
      s.pauseReading(true);
      stored.whenComplete((v, err) -> context.runOnContext(x -> {
        if (!owner.finished() && stream == s) {
          s.pauseReading(false);
        }
      }));
    }
    if (endStream) {
      end();
    } else if (grpc) {
      resp.writeHead();   // a server-streaming call's client waits for the head before the first message
    }
  }

  /** The {@code :status} of a response head, or -1 when it is not three digits of 100 or above. */
  static int statusOf(Http2Headers h) {
    CharSequence s = h.status();
    if (s == null || s.length() != 3) {
      return -1;
    }
    int code = 0;
    for (int i = 0; i < 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      code = code * 10 + (c - '0');
    }
    return code >= 100 ? code : -1;
  }

  @Override
  public void responseData(ByteBuf data, boolean endStream) {
    lastActivity = System.nanoTime();
    if (owner.finished()) {
      data.release();
      return;
    }
    HttpServerResponse resp = req.response();
    Buffer buf;
    if (gzip != null) {
      ByteBuf z = gzip.compress(data.alloc(), data);
      buf = z == null ? null : BackendLeg.heap(z);
    } else {
      buf = BackendLeg.heap(data);
    }
    if (endStream && gzip == null) {
      if (buf != null) {
        bytesOut += buf.length();
      }
      end(buf);   // the last piece and the end in one DATA frame
      return;
    }
    if (buf != null && buf.length() > 0) {
      bytesOut += buf.length();
      resp.write(buf);
      if (resp.writeQueueFull() && stream != null) {
        H2Stream s = stream;
        s.pauseReading(true);
        resp.drainHandler(v -> {
          if (stream == s) {
            s.pauseReading(false);
          }
        });
      }
    }
    if (endStream) {
      end();
    }
  }

  @Override
  public void responseTrailers(Http2Headers trailers) {
    lastActivity = System.nanoTime();
    if (owner.finished()) {
      return;
    }
    HttpServerResponse resp = req.response();
    for (Map.Entry<CharSequence, CharSequence> e : trailers) {
      if (e.getKey().length() > 0 && e.getKey().charAt(0) != ':') {
        resp.trailers().add(e.getKey(), e.getValue());
      }
    }
    String g = resp.trailers().get("grpc-status");
    if (g != null) {
      grpcStatus = g;
    }
    end();
  }

  private void end() {
    end(null);
  }

  /** Ends the response, with {@code last} (null: none) as its last piece. */
  private void end(Buffer last) {
    cancelTimer();
    stream = null;
    Gzip z = gzip;
    gzip = null;
    owner.responseEnded(status);
    HttpServerResponse resp = req.response();
    if (z != null) {
      Buffer tail = BackendLeg.heap(z.finish(io.netty.buffer.ByteBufAllocator.DEFAULT));
      bytesOut += tail.length();
      resp.end(tail);
    } else if (last != null && last.length() > 0) {
      resp.end(last);
    } else {
      resp.end();
    }
  }

  @Override
  public void streamFailed(Throwable cause, boolean refused) {
    stream = null;
    cancelTimer();
    if (owner.finished()) {
      return;
    }
    if (refused && !responseStarted) {
      req.pause();
      owner.refused(cause, replayable());
      return;
    }
    if (deadline != 0 && System.nanoTime() - deadline >= -DEADLINE_SLACK_NANOS) {
      // The backend keeps the deadline it was given too and cancels the stream when it passes, at about the moment
      // Tandem's own timer does: whichever comes first, the call ran out of time.
      owner.upstreamFailed(new TimeoutException("gRPC deadline (grpc-timeout) passed: " + cause.getMessage()));
      return;
    }
    owner.upstreamFailed(cause);
  }

  // ---- the one timer ----

  private void armTimer() {
    cancelTimer();
    long responseTimeout = pool.config().timeouts().response().toNanos();
    long bodyTimeout = listener.config().timeouts().requestBody().toNanos();
    long due = lastActivity + responseTimeout;
    boolean bodyStalls = streaming && !bodyEnded && !responseStarted;   // a streaming call's client may pause then
    if (bodyStalls) {
      due = Math.min(due, lastBodyByte + bodyTimeout);
    }
    if (deadline != 0) {
      due = Math.min(due, deadline);
    }
    long ms = Math.max(1, (due - System.nanoTime()) / 1_000_000);
    timer = context.owner().setTimer(ms, id -> {
      timer = -1;
      if (owner.finished() || stream == null) {
        return;
      }
      long now = System.nanoTime();
      if (deadline != 0 && now >= deadline) {
        owner.upstreamFailed(new TimeoutException("gRPC deadline (grpc-timeout) passed"));
      } else if (streaming && !bodyEnded && !responseStarted && now - lastBodyByte >= bodyTimeout) {
        bodyFailed(Outcome.CLIENT_TIMEOUT, "request body stalled");
      } else if (now - lastActivity >= responseTimeout) {
        owner.upstreamFailed(new TimeoutException("backend silent for " + pool.config().timeouts().response()));
      } else {
        armTimer();
      }
    });
  }

  private void cancelTimer() {
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
      timer = -1;
    }
  }

}
