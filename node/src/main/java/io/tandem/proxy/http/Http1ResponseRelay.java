package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tandem.proxy.h1.HeadWriter;
import io.tandem.proxy.h1.HeaderEdits;
import io.tandem.proxy.h1.HeaderNames;
import io.tandem.proxy.h1.RequestHead;
import io.tandem.proxy.h1.ResponseHead;
import io.tandem.upstream.Backend;
import io.tandem.util.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The backend's answer on its way to an {@link Http1Exchange}'s client: interim heads, the head (hop-by-hop headers
 * dropped; the route's edits, HSTS, Alt-Svc and the session cookie added), the body as it comes (compressed when the
 * route says so, with back-pressure on the backend), its end, and a switch of protocols into a tunnel of bytes.
 * Static, on the exchange's own fields: the data path allocates nothing more for it.
 */
final class Http1ResponseRelay {
  private Http1ResponseRelay() {
  }

  static void interim(Http1Exchange ex, ResponseHead h) {
    ex.lastActivity = System.nanoTime();
    RequestHead head = ex.head;
    boolean relay = h.status() == 100 ? head.expectContinue() : head.versionMinor() == 1;
    if (relay && !ex.responseStarted && !ex.finished) {
      Channel client = ex.client;
      client.writeAndFlush(HeadWriter.response(client.alloc(), h, false, null, null, null), client.voidPromise());
    }
  }

  /** @return whether the backend's body may follow now (false: once the session is stored) */
  static boolean responseHead(Http1Exchange ex, ResponseHead h) {
    ex.lastActivity = System.nanoTime();
    if (ex.finished) {
      return true;
    }
    RequestHead head = ex.head;
    if (head.versionMinor() == 0 && h.body() == ResponseHead.Body.CHUNKED) {
      Http1Failures.upstreamFailed(ex, new IOException("chunked response to an HTTP/1.0 request"), true);
      return true;
    }
    Channel client = ex.client;
    ListenerRuntime listener = ex.listener;
    ex.responseStarted = true;
    ex.status = h.status();
    ex.clientKeepAlive = head.keepAlive() && ex.bodyDone && !ex.conn.draining() && h.body() != ResponseHead.Body.CLOSE;
    String connection = !ex.clientKeepAlive ? "close" : head.versionMinor() == 0 ? "keep-alive" : null;
    Backend backend = ex.attempt.backend();
    String setCookie = ex.session.cookieToSet(backend);
    CompletableFuture<Void> stored = ex.session.record(() -> setCookies(h), backend).toCompletableFuture();
    HeaderEdits edits = ex.plan.response();
    ex.gzip = GzipResponse.of(ex.plan.compress(), head.versionMinor() == 1, h, client.alloc());
    if (ex.gzip != null) {
      edits = GzipResponse.fields(edits == null ? new HeaderEdits() : edits, h.get("etag"));
    }
    ByteBuf out = HeadWriter.response(client.alloc(), h, false, connection, listener.hsts(), setCookie, edits,
        ex.conn.http3() ? null : listener.altSvc());
    if (stored.isDone()) {
      client.write(out, client.voidPromise());
      return true;
    }
    // A newly learned session must be in the shared table before the client can send its next request.
    stored.whenComplete((v, err) -> client.eventLoop().execute(() -> {
      if (ex.finished) {
        out.release();
        return;
      }
      client.write(out, client.voidPromise());
      ex.upstream.resume();
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

  static void responseBody(Http1Exchange ex, ByteBuf slice) {
    ex.lastActivity = System.nanoTime();
    if (ex.finished) {
      slice.release();
      return;
    }
    if (ex.gzip != null) {
      slice = ex.gzip.piece(slice);
      if (slice == null) {
        return;
      }
    }
    Channel client = ex.client;
    ex.bytesOut += slice.readableBytes();
    client.write(slice, client.voidPromise());
    if (!client.isWritable()) {
      client.flush();
      ex.upstream.pauseReading(!client.isWritable());
    }
  }

  static void responseEnded(Http1Exchange ex, boolean reusable) {
    if (ex.finished) {
      if (ex.upstream != null) {
        ex.upstream.discard();
        ex.upstream = null;
      }
      return;
    }
    Channel client = ex.client;
    Upstream up = ex.upstream;
    ex.upstream = null;
    if (ex.gzip != null) {
      ByteBuf last = ex.gzip.last();
      ex.bytesOut += last.readableBytes();
      client.write(last, client.voidPromise());
      ex.gzip = null;
    }
    // A connection is reused only after a complete, clean exchange: the request's body was sent whole too.
    up.release(reusable && ex.bodyDone);
    ex.attempt.release(ex.status >= 500);
    Http1Outcomes.finish(ex, Outcome.OK, ex.status);
    client.flush();
    ex.conn.exchangeEnded(ex.clientKeepAlive);
  }

  static void switched(Http1Exchange ex, ResponseHead h) {
    if (ex.finished) {
      return;
    }
    if (!ex.upgrade) {
      Http1Failures.upstreamFailed(ex, new IOException("101 to a request that did not ask to switch protocols"), true);
      return;
    }
    Channel client = ex.client;
    Http1Connection conn = ex.conn;
    ex.responseStarted = true;
    ex.tunnelled = true;
    ex.status = 101;
    ex.cancelTimer();
    client.writeAndFlush(HeadWriter.response(client.alloc(), h, true, "upgrade", null, null),
        client.voidPromise());
    // Bytes both ways as they come; a side that cannot take more stops the other's reading until it can.
    Upstream up = ex.upstream;
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

  /** The tunnel ended (either side closed): the exchange ends as {@code upgraded}. */
  static void endTunnel(Http1Exchange ex) {
    ex.attempt.release(false);
    Http1Outcomes.finish(ex, Outcome.UPGRADED, 101);
  }
}
