package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Headers;
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
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The backend side of an HTTP/2 front's {@link Exchange} when the pool speaks HTTP/2: each request is a stream of
 * its own on the loop's {@link H2Connections}, so the calls of one client connection are balanced one by one. The
 * head goes out as HTTP/2 headers (rewritten by {@link ForwardingHeaders}), the body as it comes (client and stream
 * windows give back-pressure both ways: streaming gRPC calls of every kind), the response's headers, data and
 * trailers ({@code grpc-status}) back to the client as they come.
 *
 * <p>Until the response head arrives its {@link H2LegBody} keeps a copy of the body sent (up to
 * {@value H2LegBody#REPLAY_LIMIT} bytes), so a stream the backend refused unprocessed (GOAWAY above its id,
 * REFUSED_STREAM) can be sent again elsewhere whatever its method: a backend shutting down gracefully loses no call.
 * One timer ({@link H2LegTimer}): the backend's silence ({@code timeouts.response}), the client's body stalls
 * ({@code timeouts.request-body}) and a gRPC call's deadline ({@code grpc-timeout}). Event-loop confined; it
 * decides nothing (see {@link BackendLeg.Owner}).
 */
final class H2Leg implements UpstreamLeg, H2Stream.Owner {
  private static final long DEADLINE_SLACK_NANOS = 20_000_000;

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
  private H2LegBody body;         // the body as it streams, once its handlers are set
  private Buffer buffered;
  private boolean responseStarted;
  private int status;
  private String grpcStatus;
  private Gzip gzip;
  private long bytesOut;
  private H2LegTimer timer;        // made at the first send

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
    long timeout = grpc ? Grpc.timeoutNanos(req.headers().get(H2Fields.GRPC_TIMEOUT)) : -1;
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
    return buffered != null || body == null || body.replayable();
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
    if (body != null) {
      body.dropReplay();
    }
    if (gzip != null) {
      gzip.close();
      gzip = null;
    }
  }

  // ---- request ----

  private void send(H2Stream s, boolean hasBody) {
    stream = s;
    MultiMap out = H2Fields.forwarded(req, listener, peerIp, requestId, plan, pool);
    if (mirrorPool != null) {
      PoolSnapshot shadow = mirrorPool;
      mirrorPool = null;   // once, whatever retries follow
      Mirror.sendCopy(listener, loop, req, plan, out, shadow, mirrorCounts, buffered);
    }
    boolean end = buffered == null && (!hasBody || (body != null && body.ended() && body.keptNone()));
    String path = plan.target() != null ? plan.target() : req.uri();
    s.headers(H2Fields.request(req.method().name(), pool.config().tls() != null ? "https" : "http", path, out,
        deadline), end);
    if (timer == null) {
      timer = new H2LegTimer(this, owner, context, deadline, listener.config().timeouts().requestBody());
    }
    timer.sent();
    if (buffered != null) {
      s.data(Unpooled.wrappedBuffer(buffered.getBytes()), true);
    } else if (!end) {
      if (body == null) {
        body = new H2LegBody(this, req, listener.config().limits().maxBodySize());
        body.start();
      } else {
        body.resend(s);
      }
    } else if (!req.isEnded()) {
      req.resume();   // a body nobody announced is not read (the stream ends with the answer)
    }
    s.flush();
    timer.arm();
  }

  /** The leg's backend stream of the moment, or null between attempts. */
  H2Stream stream() {
    return stream;
  }

  /** A piece of the client's body came. */
  void bodyByte() {
    timer.bodyByte();
  }

  /** Whether the client's body is still being streamed with no answer begun (it may stall). */
  boolean bodyStreaming() {
    return body != null && !body.ended() && !responseStarted;
  }

  /** The backend silence the pool of the current attempt allows. */
  Duration responseTimeout() {
    return pool.config().timeouts().response();
  }

  void bodyFailed(Outcome outcome, String why) {
    if (owner.finished()) {
      return;
    }
    cancel();
    owner.bodyFailed(outcome, why);
    owner.abandoned();
  }

  @Override
  public void writabilityChanged(boolean writable) {
    if (writable && body != null && !body.ended()) {
      req.resume();
    }
  }

  @Override
  public void readComplete() {
  }

  // ---- response ----

  @Override
  public void responseHeaders(Http2Headers h, boolean endStream) {
    activity();
    if (owner.finished()) {
      return;
    }
    int code = H2Fields.statusOf(h);
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
    if (body != null) {
      body.loseReplay();
    }
    HttpServerResponse resp = req.response();
    MultiMap out = resp.headers();
    H2Fields.copyResponse(h, out);
    CharSequence g = h.get(H2Fields.GRPC_STATUS);
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

  @Override
  public void responseData(ByteBuf data, boolean endStream) {
    activity();
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
    activity();
    if (owner.finished()) {
      return;
    }
    HttpServerResponse resp = req.response();
    H2Fields.copyTrailers(trailers, resp.trailers());
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

  private void activity() {
    if (timer != null) {
      timer.activity();
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
    }
  }
}
