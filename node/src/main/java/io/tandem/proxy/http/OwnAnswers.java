package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tandem.config.ErrorPage;
import io.tandem.util.Outcome;
import io.tandem.proxy.rules.Answer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The answers Tandem writes itself: its refusals and failures (4xx/5xx) all in one shape (status, reason, outcome
 * label, request id; the body an {@link ErrorPage} when one is configured for the status), and the answers of a
 * route's actions ({@link Answer}: redirects, fixed answers, access refusals).
 */
final class OwnAnswers {
  private OwnAnswers() {}

  /**
   * Answers {@code outcome}'s status. With {@code close} (or when the request says so) the connection is closed once
   * the answer is written, so nothing after a refused request is read from it. Returns the body size.
   */
  static int send(HttpServerRequest req, Outcome outcome, String requestId, boolean close) {
    return send(req, outcome, requestId, close, null);
  }

  /** The same with {@code page} (or null) as the body. */
  static int send(HttpServerRequest req, Outcome outcome, String requestId, boolean close, ErrorPage page) {
    HttpServerResponse resp = req.response();
    int status = outcome.status();
    resp.setStatusCode(status);
    if (status == 503) {
      resp.putHeader("retry-after", "1");
    }
    resp.putHeader(HttpHeaders.CONTENT_TYPE, page == null ? "text/plain; charset=utf-8" : page.contentType());
    if (requestId != null) {
      resp.putHeader(ForwardingHeaders.X_REQUEST_ID, requestId);
    }
    boolean closing = close || "close".equals(resp.headers().get(HttpHeaders.CONNECTION));
    if (closing) {
      resp.putHeader(HttpHeaders.CONNECTION, "close");
    }
    Buffer body = Buffer.buffer(page == null ? body(outcome) : page.body());
    resp.end(body).onComplete(ar -> {
      if (closing) {
        req.connection().close();
      }
    });
    return body.length();
  }

  /**
   * The answer to send for an action's {@code a}: a refusal (403) gets the route's or listener's error page for 403
   * ({@code page}, or null) or Tandem's plain body; anything else goes as it is.
   */
  static Answer withPage(Answer a, ErrorPage page) {
    if (a.outcome() != Outcome.DENIED) {
      return a;
    }
    return page != null ? new Answer(a.outcome(), a.status(), a.headers(), page.body(), page.contentType())
        : new Answer(a.outcome(), a.status(), a.headers(), body(Outcome.DENIED), "text/plain; charset=utf-8");
  }

  /** Sends an action's answer on the HTTP/2 (or Vert.x) path; returns the body size. */
  static int send(HttpServerRequest req, Answer answer, String requestId) {
    HttpServerResponse resp = req.response();
    resp.setStatusCode(answer.status());
    List<String> h = answer.headers();
    for (int i = 0; i + 1 < h.size(); i += 2) {
      resp.headers().add(h.get(i), h.get(i + 1));
    }
    if (answer.contentType() != null) {
      resp.putHeader(HttpHeaders.CONTENT_TYPE, answer.contentType());
    }
    if (requestId != null) {
      resp.putHeader(ForwardingHeaders.X_REQUEST_ID, requestId);
    }
    Buffer body = Buffer.buffer(answer.body());
    resp.end(body);
    return body.length();
  }

  /**
   * The same answer as bytes, for Tandem's own HTTP/1.1 path: status line, {@code Content-Type},
   * {@code Content-Length}, {@code Retry-After} on a 503, the request id, {@code extra} header lines (name, value, ...), and
   * {@code Connection: close} when {@code close}; then the body.
   */
  static ByteBuf bytes(ByteBufAllocator alloc, Outcome outcome, String requestId, boolean close, String... extra) {
    return bytes(alloc, outcome, null, requestId, close, extra);
  }

  /** The same with {@code page} (or null) as the body. */
  static ByteBuf bytes(ByteBufAllocator alloc, Outcome outcome, ErrorPage page, String requestId, boolean close,
      String... extra) {
    byte[] body = (page == null ? body(outcome) : page.body()).getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = statusLine(outcome.status(), outcome.reason(), 160)
        .append("content-type: ").append(page == null ? "text/plain; charset=utf-8" : page.contentType())
        .append("\r\n");
    if (outcome.status() == 503) {
      sb.append("retry-after: 1\r\n");
    }
    return finish(alloc, sb, requestId, close, List.of(extra), body, true, true);
  }

  /**
   * An action's answer as bytes; {@code extra} (name, value, ...) follows its own fields. To a HEAD request
   * ({@code headOnly}) the fields go with the body's length but without the body.
   */
  static ByteBuf bytes(ByteBufAllocator alloc, Answer answer, String requestId, boolean close, List<String> extra,
      boolean headOnly) {
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = statusLine(answer.status(), answer.reason(), 200);
    List<String> h = answer.headers();
    for (int i = 0; i + 1 < h.size(); i += 2) {
      sb.append(h.get(i)).append(": ").append(h.get(i + 1)).append("\r\n");
    }
    if (answer.contentType() != null) {
      sb.append("content-type: ").append(answer.contentType()).append("\r\n");
    }
    boolean bodiless = answer.status() == 204 || answer.status() == 304;   // no Content-Length either (RFC 9110)
    return finish(alloc, sb, requestId, close, extra, body, !bodiless, !headOnly && !bodiless);
  }

  private static StringBuilder statusLine(int status, String reason, int capacity) {
    return new StringBuilder(capacity).append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
  }

  private static ByteBuf finish(ByteBufAllocator alloc, StringBuilder sb, String requestId, boolean close,
      List<String> extra, byte[] body, boolean lengthField, boolean withBody) {
    if (lengthField) {
      sb.append("content-length: ").append(body.length).append("\r\n");
    }
    if (requestId != null) {
      sb.append("x-request-id: ").append(requestId).append("\r\n");
    }
    for (int i = 0; i + 1 < extra.size(); i += 2) {
      sb.append(extra.get(i)).append(": ").append(extra.get(i + 1)).append("\r\n");
    }
    if (close) {
      sb.append("connection: close\r\n");
    }
    sb.append("\r\n");
    ByteBuf out = alloc.directBuffer(sb.length() + body.length);
    out.writeCharSequence(sb, StandardCharsets.ISO_8859_1);
    if (withBody) {
      out.writeBytes(body);
    }
    return out;
  }

  /** The body of Tandem's own answer for {@code outcome}, e.g. {@code 503 Service Unavailable (no_backend)}. */
  static String body(Outcome outcome) {
    return outcome.status() + " " + outcome.reason() + " (" + outcome.label() + ")\n";
  }
}
