package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tandem.balancing.PickContext;
import io.tandem.proxy.BackendAttempt;
import io.tandem.util.Outcome;
import io.tandem.proxy.h1.BackendConnections;
import io.tandem.proxy.h1.ResponseHead;
import io.tandem.proxy.rules.RouteCounters;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.util.Scheduler;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A copy of one request sent to a route's shadow pool ({@code mirror:}): fire and forget. It takes a backend of the
 * shadow pool as any request would (its slots, queue, circuit breaker and passive health), sends the same head and
 * body the primary backend gets, reads the answer to its end and drops it. Nothing of it reaches the client: not its
 * answer, its time or its failure. On the client's event loop; counted per route ({@code mirrored},
 * {@code mirrorFailed}) and never as a listener request.
 */
final class Mirror implements BackendAttempt.Leg, Http1Upstream.Owner {
  private static final Logger LOG = LogManager.getLogger(Mirror.class);

  private final ListenerRuntime listener;
  private final Http1Loop loop;
  private final Channel client;
  private final PoolSnapshot pool;
  private final RouteCounters.Counts counts;
  private final BackendAttempt attempt;
  private final Scheduler scheduler;
  private ByteBuf head;
  private ByteBuf body;
  private Http1Upstream upstream;
  private Scheduler.Cancellable timer;
  private int status;
  private boolean done;

  private Mirror(ListenerRuntime listener, Http1Loop loop, Channel client, PoolSnapshot pool,
      RouteCounters.Counts counts, ByteBuf head, ByteBuf body) {
    this.listener = listener;
    this.loop = loop;
    this.client = client;
    this.pool = pool;
    this.counts = counts;
    this.head = head;
    this.body = body;
    this.scheduler = loop.scheduler();
    this.attempt = new BackendAttempt(listener, loop.executor(), scheduler);
  }

  /** Whether a request of a route mirroring {@code percent} of its requests is copied (drawn per request). */
  static boolean drawn(double percent) {
    return percent >= 100 || (percent > 0 && ThreadLocalRandom.current().nextDouble(100) < percent);
  }

  /**
   * Sends a copy of the request: {@code head} is the head as forwarded (HTTP/1.1 bytes), {@code body} the whole
   * body or null; both are taken over (released when the copy is done).
   */
  /**
   * Sends the copy of an HTTP/2 front's request: as HTTP/1.1 bytes, with the forwarded request's {@code headers}
   * (pseudo-headers and framing left out) and its whole body (or none).
   */
  static void sendCopy(ListenerRuntime listener, Http1Loop loop, io.vertx.core.http.HttpServerRequest req,
      io.tandem.proxy.rules.Plan plan, io.vertx.core.MultiMap headers, PoolSnapshot shadow, RouteCounters.Counts counts,
      io.vertx.core.buffer.Buffer buffered) {
    Channel client = ((io.vertx.core.net.impl.ConnectionBase) req.connection()).channel();
    StringBuilder sb = new StringBuilder(256).append(req.method().name()).append(' ')
        .append(plan.target() != null ? plan.target() : req.uri()).append(" HTTP/1.1\r\n");
    for (java.util.Map.Entry<String, String> h : headers) {
      if (!h.getKey().startsWith(":") && !h.getKey().equalsIgnoreCase("content-length")
          && !h.getKey().equalsIgnoreCase("transfer-encoding")) {
        sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
    }
    if (buffered != null) {
      sb.append("content-length: ").append(buffered.length()).append("\r\n");
    }
    sb.append("\r\n");
    ByteBuf head = client.alloc().directBuffer(sb.length());
    head.writeCharSequence(sb, java.nio.charset.StandardCharsets.ISO_8859_1);
    ByteBuf body = buffered == null ? null : io.netty.buffer.Unpooled.wrappedBuffer(buffered.getBytes());
    send(listener, loop, client, shadow, counts, head, body);
  }

  static void send(ListenerRuntime listener, Http1Loop loop, Channel client, PoolSnapshot shadow,
      RouteCounters.Counts counts, ByteBuf head, ByteBuf body) {
    counts.mirrored();
    new Mirror(listener, loop, client, shadow, counts, head, body).start();
  }

  private void start() {
    if (!attempt.admit(pool)) {
      end(Outcome.CIRCUIT_OPEN, true);
      return;
    }
    attempt.start(PickContext.create(), BackendAttempt.NONE, this);
  }

  @Override
  public void connect(Backend b) {
    BackendConnections idle = loop.connections(pool.config(), client);
    Channel ch = idle.take(b.inetAddress());
    if (ch != null) {
      send(Http1Upstream.of(ch));
      return;
    }
    BackendDial.open(listener, idle, pool, b, (up, failure) -> {
      if (failure != null || done) {
        if (up.channel() != null) {
          up.channel().close();
        }
        if (done) {
          attempt.release(false);
        } else {
          attempt.connectFailed(failure);
        }
        return;
      }
      send(up);
    });
  }

  @Override
  public void refuse(Outcome outcome) {
    end(outcome, true);
  }

  private void send(Http1Upstream up) {
    upstream = up;
    up.begin(this, false);
    timer = scheduler.schedule(pool.config().timeouts().response(),
        () -> upstreamFailed(new TimeoutException("mirror: no response"), false));
    ByteBuf h = head;
    ByteBuf b = body;
    head = null;
    body = null;
    if (b == null) {
      up.writeAndFlush(h);
    } else {
      up.write(h);
      up.writeAndFlush(b);
    }
  }

  // ---- the shadow's answer, read and dropped ----

  @Override
  public void interim(ResponseHead h) {
    // dropped
  }

  @Override
  public void switched(ResponseHead h) {
    upstreamFailed(new java.io.IOException("mirror: 101 to a copied request"), true);
  }

  @Override
  public boolean responseHead(ResponseHead h) {
    status = h.status();
    return true;
  }

  @Override
  public void responseBody(ByteBuf slice) {
    slice.release();
  }

  @Override
  public void responseEnded(boolean reusable) {
    Http1Upstream up = upstream;
    upstream = null;
    if (up != null) {
      up.release(reusable);
    }
    attempt.release(status >= 500);
    end(Outcome.OK, false);
  }

  @Override
  public void upstreamFailed(Throwable cause, boolean anyResponseByte) {
    if (done) {
      return;
    }
    Http1Upstream up = upstream;
    upstream = null;
    if (up != null) {
      up.discard();
    }
    LOG.debug("mirror to {} failed: {}", attempt.backend(), cause.toString());
    Outcome outcome = cause instanceof TimeoutException ? Outcome.BACKEND_TIMEOUT : Outcome.BACKEND_ERROR;
    if (attempt.backend() != null) {
      attempt.backend().stats().record(outcome);
    }
    attempt.release(true);
    end(outcome, true);
  }

  @Override
  public void backendWritabilityChanged(boolean writable) {
    // the body is written whole; nothing waits for it
  }

  @Override
  public void backendReadComplete() {
    // nothing to flush: the answer goes nowhere
  }

  @Override
  public void tunnelClosed() {
    upstreamFailed(new java.io.IOException("mirror: tunnel closed"), true);
  }

  private void end(Outcome outcome, boolean failed) {
    if (done) {
      return;
    }
    done = true;
    if (timer != null) {
      timer.cancel();
    }
    if (failed) {
      counts.mirrorFailed();
    }
    attempt.end(outcome, status);
    if (head != null) {
      head.release();
      head = null;
    }
    if (body != null) {
      body.release();
      body = null;
    }
  }
}
