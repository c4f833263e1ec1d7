package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.tandem.config.BackendTlsConfig;
import io.tandem.config.ListenerConfig;
import io.tandem.util.Outcome;
import io.tandem.proxy.h1.HeaderEdits;
import io.tandem.proxy.rules.Compression;
import io.tandem.proxy.rules.Plan;
import io.tandem.proxy.rules.RouteCounters;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The backend side of an {@link Exchange}: per attempt, asks the pool's client for a request to the chosen backend,
 * sends the head (rewritten by {@link ForwardingHeaders}) and the body (whole, streamed through a
 * {@link RequestBodyPump}, or none), then relays the response head and body to the client with back-pressure, or
 * turns a protocol switch into a {@link Tunnel}. Event-loop confined.
 *
 * <p>It decides nothing: whether to retry, what to answer and which outcome to count stay with the exchange, which
 * hears of every failure and of the end through {@link Owner}. An attempt ends in exactly one of the owner's calls
 * (or in none when the exchange finished first).
 */
final class BackendLeg implements UpstreamLeg {
  /** What the leg reports to its exchange. */
  interface Owner {
    boolean finished();

    /** The exchange finished before the backend request could be used: give the slot back. */
    void abandoned();

    /** No request could be had to the backend (the connection failed). */
    void connectFailed(Throwable cause);

    /** The backend failed or timed out once the request was under way. */
    void upstreamFailed(Throwable cause);

    /**
     * An HTTP/2 backend refused the stream unprocessed (GOAWAY above its id, REFUSED_STREAM): it may go elsewhere
     * whatever its method when {@code replayable} (the body sent so far is at hand).
     */
    default void refused(Throwable cause, boolean replayable) {
      upstreamFailed(cause);
    }

    /** The client's body could not be passed on ({@code body_too_large}, {@code client_timeout}, ...). */
    void bodyFailed(Outcome outcome, String why);

    /** The whole response was relayed; {@code status} is the backend's. Runs before the client's response ends. */
    void responseEnded(int status);

    /** A protocol switch ended: the tunnel closed ({@code upgraded}), or the client connection could not be taken. */
    void tunnelEnded(boolean upgraded);
  }

  private final Owner owner;
  private final ListenerRuntime listener;
  private final HttpServerRequest req;
  private final Context context;
  private final String clientIp;
  private final String requestId;
  private final Plan plan;

  private Http1Loop mirrorLoop;
  private PoolSnapshot mirrorPool;
  private RouteCounters.Counts mirrorCounts;
  private HttpClientRequest upstream;
  private PoolSnapshot pool;
  private Gzip gzip;
  private RequestBodyPump body;
  private boolean responseStarted;
  private long bytesOut;

  BackendLeg(Owner owner, ListenerRuntime listener, HttpServerRequest req, Context context, String clientIp,
      String requestId, Plan plan) {
    this.plan = plan;
    this.owner = owner;
    this.listener = listener;
    this.req = req;
    this.context = context;
    this.clientIp = clientIp;
    this.requestId = requestId;
  }

  /**
   * Sends the request to {@code backend} through {@code client}. {@code buffered} is the whole body when it was read
   * before the backend was chosen; otherwise a body ({@code hasBody}) is streamed.
   */
  void attempt(HttpClientAgent client, PoolSnapshot pool, Backend backend, SessionAffinity session, boolean hasBody,
      Buffer buffered) {
    upstream = null;
    this.pool = pool;
    RequestOptions options = new RequestOptions()
        .setServer(backend.address())
        .setMethod(req.method())
        .setURI(plan.target() != null ? plan.target() : req.uri())
        .setIdleTimeout(pool.config().timeouts().response().toMillis());
    BackendTlsConfig tls = pool.config().tls();
    if (tls != null) {
      // The TLS peer: SNI and the name the backend's certificate is checked against.
      options.setHost(tls.serverName() != null ? tls.serverName() : backend.address().host())
          .setPort(backend.address().port());
    }
    client.request(options).onComplete(ar -> {
      if (owner.finished()) {
        if (ar.succeeded()) {
          // Nobody waits for it: without a handler Vert.x logs the reset as an error (one per reset stream, which a
          // client resetting streams could turn into a log flood).
          ar.result().exceptionHandler(t -> { }).reset();
        }
        owner.abandoned();
      } else if (ar.failed()) {
        owner.connectFailed(ar.cause());
      } else {
        send(ar.result(), session, backend, hasBody, buffered);
      }
    });
  }

  /** With the first attempt, a copy of the request goes to {@code shadow} ({@link Mirror}). */
  @Override
  public void mirrorTo(Http1Loop loop, PoolSnapshot shadow, RouteCounters.Counts counts) {
    mirrorLoop = loop;
    mirrorPool = shadow;
    mirrorCounts = counts;
  }

  /** Whether any of the response went to the client (then a failure can only cut the connection). */
  @Override
  public boolean responseStarted() {
    return responseStarted;
  }

  /** Body bytes relayed to the client. */
  @Override
  public long bytesOut() {
    return bytesOut;
  }

  /** The client went away: the backend request is reset (its connection is not reused). */
  @Override
  public void cancel() {
    if (upstream != null) {
      upstream.reset();
    }
  }

  /** The exchange finished: a body still streaming stops, a compressor frees its memory. */
  @Override
  public void stopBody() {
    if (body != null) {
      body.stop();
    }
    if (gzip != null) {
      gzip.close();
      gzip = null;
    }
  }

  /** {@code b}'s bytes as a Vert.x buffer of its own ({@code b} released): Vert.x owns what it writes. */
  static Buffer heap(ByteBuf b) {
    try {
      return Buffer.buffer(io.netty.buffer.ByteBufUtil.getBytes(b));
    } finally {
      b.release();
    }
  }

  private static long length(MultiMap up) {
    String cl = up.get(HttpHeaders.CONTENT_LENGTH);
    try {
      return cl == null ? -1 : Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void send(HttpClientRequest up, SessionAffinity session, Backend backend, boolean hasBody, Buffer buffered) {
    upstream = up;
    boolean upgrade = isUpgrade();
    ForwardingHeaders.prepare(req, up, clientIp, requestId, upgrade, listener.tls() != null,
        listener.config().limits().underscoresInHeaders());
    apply(plan.request(), up.headers());
    String poolHost = pool == null ? null : pool.config().hostHeader();
    if (poolHost != null && (plan.request() == null || !plan.request().adds("Host"))) {
      up.headers().set(HttpHeaders.HOST, poolHost);
    }
    if (mirrorPool != null) {
      PoolSnapshot shadow = mirrorPool;
      mirrorPool = null;   // once, whatever retries follow
      Mirror.sendCopy(listener, mirrorLoop, req, plan, up.headers(), shadow, mirrorCounts, buffered);
    }
    up.exceptionHandler(owner::upstreamFailed);
    if (upgrade) {
      tunnel(up, session, backend);
      return;
    }
    if (req.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || (hasBody && buffered == null && !req.headers().contains(HttpHeaders.CONTENT_LENGTH))) {
      up.setChunked(true);   // an HTTP/2 body of unannounced length goes to an HTTP/1.1 backend in chunks
    } else if (hasBody) {
      up.headers().set(HttpHeaders.CONTENT_LENGTH, req.headers().get(HttpHeaders.CONTENT_LENGTH));
    }
    if (req.headers().contains(HttpHeaders.EXPECT)) {
      up.continueHandler(v -> {
        if (!responseStarted) {
          req.response().writeContinue();
        }
      });
    }
    up.response().onComplete(ar -> {
      if (ar.succeeded()) {
        relay(ar.result(), session, backend);
      } else {
        owner.upstreamFailed(ar.cause());
      }
    });
    if (buffered != null) {
      up.end(buffered);
    } else if (!hasBody || req.isEnded()) {
      up.end();
      if (!req.isEnded()) {
        // Paused for an upgrade or an announced body that is not coming; an ended HTTP/2 request may not be resumed.
        req.resume();
      }
    } else {
      up.sendHead();
      streamBody(up);
    }
  }

  private void streamBody(HttpClientRequest up) {
    ListenerConfig lc = listener.config();
    body = new RequestBodyPump(context.owner(), req, up, lc.limits().maxBodySize(),
        lc.timeouts().requestBody().toNanos(), (outcome, why) -> {
          if (!owner.finished()) {
            owner.bodyFailed(outcome, why);
            up.reset();
            owner.abandoned();
          }
        });
    body.start();
  }

  private boolean isUpgrade() {
    String upgrade = req.headers().get(HttpHeaders.UPGRADE);
    String connection = req.headers().get(HttpHeaders.CONNECTION);
    // h2c is an offer Tandem declines (its headers are hop-by-hop and dropped); anything else, e.g. websocket, tunnels.
    return upgrade != null && connection != null && ForwardingHeaders.listsToken(connection, "upgrade")
        && !upgrade.trim().equalsIgnoreCase("h2c");
  }

  // ---- response ----

  private void relay(HttpClientResponse up, SessionAffinity session, Backend backend) {
    if (owner.finished()) {
      return;
    }
    responseStarted = true;
    MultiMap out = req.response().headers();
    ForwardingHeaders.copyEndToEnd(up.headers(), out, false);
    apply(plan.response(), out);
    gzip = compression(plan, up.statusCode(), up.headers(), out);
    HttpsRedirect.listenerFields(listener, out);
    CompletableFuture<Void> stored = session.record(out, backend).toCompletableFuture();
    if (stored.isDone()) {
      relayBody(up);
      return;
    }
    // A newly learned session must be in the shared table before the client can send its next request.
    up.pause();
    stored.whenComplete((v, err) -> context.runOnContext(x -> {
      if (!owner.finished()) {
        relayBody(up);
        up.resume();
      }
    }));
  }

  private void relayBody(HttpClientResponse up) {
    HttpServerResponse resp = req.response();
    int status = up.statusCode();
    resp.setStatusCode(status);
    if (!up.headers().contains(HttpHeaders.CONTENT_LENGTH) && req.version() == HttpVersion.HTTP_1_1
        && status != 204 && status != 304 && !HttpMethod.HEAD.equals(req.method())) {
      resp.setChunked(true);
    }
    up.exceptionHandler(owner::upstreamFailed);
    up.handler(piece -> {
      Buffer buf = piece;
      if (gzip != null) {
        ByteBuf z = gzip.compress(io.netty.buffer.ByteBufAllocator.DEFAULT,
            ((BufferInternal) piece).getByteBuf().retain());
        if (z == null) {
          return;
        }
        buf = heap(z);
      }
      bytesOut += buf.length();
      resp.write(buf);
      if (resp.writeQueueFull()) {
        up.pause();
        resp.drainHandler(v -> up.resume());
      }
    });
    up.endHandler(v -> {
      Gzip z = gzip;
      gzip = null;
      if (!owner.finished()) {
        owner.responseEnded(status);
        if (z != null) {
          Buffer last = heap(z.finish(io.netty.buffer.ByteBufAllocator.DEFAULT));
          bytesOut += last.length();
          resp.end(last);
        } else {
          resp.end();
        }
      } else if (z != null) {
        z.close();
      }
    });
  }

  /**
   * The compressor of a response the route's {@code compress} action wants compressed and that is worth it (type,
   * size, not already encoded), with {@code out}'s fields set for it; null otherwise.
   */
  static Gzip compression(Plan plan, int status, MultiMap up, MultiMap out) {
    if (plan.compress() == null || !Compression.worthIt(plan.compress(), status, up.get(HttpHeaders.CONTENT_TYPE),
        up.get(HttpHeaders.CONTENT_ENCODING), up.get("content-range"), up.get(HttpHeaders.CACHE_CONTROL),
        length(up))) {
      return null;
    }
    HeaderEdits edits = GzipResponse.fields(new HeaderEdits(), up.get(HttpHeaders.ETAG));
    edits.remove("transfer-encoding");   // HTTP/2 has no chunked framing
    apply(edits, out);
    return new Gzip(plan.compress().level());
  }

  /** A route's header edits on a header map (null: none). */
  static void apply(HeaderEdits edits, MultiMap headers) {
    if (edits == null) {
      return;
    }
    edits.removedNames().forEach(headers::remove);
    List<String> added = edits.added();
    for (int i = 0; i + 1 < added.size(); i += 2) {
      headers.add(added.get(i), added.get(i + 1));
    }
  }

  // ---- upgrade tunnel ----

  private void tunnel(HttpClientRequest up, SessionAffinity session, Backend backend) {
    up.connect().onComplete(ar -> {
      if (owner.finished()) {
        return;
      }
      if (ar.failed()) {
        owner.upstreamFailed(ar.cause());
        return;
      }
      HttpClientResponse ur = ar.result();
      if (ur.statusCode() != 101) {
        relay(ur, session, backend);
        return;
      }
      responseStarted = true;
      HttpServerResponse resp = req.response();
      resp.setStatusCode(101);
      ForwardingHeaders.copyEndToEnd(ur.headers(), resp.headers(), true);
      NetSocket backendSocket = ur.netSocket();
      req.toNetSocket().onComplete(cs -> {
        if (cs.failed()) {
          backendSocket.close();
          owner.tunnelEnded(false);
          return;
        }
        Tunnel.splice(cs.result(), backendSocket, () -> owner.tunnelEnded(true));
      });
    });
    req.resume();
  }
}
