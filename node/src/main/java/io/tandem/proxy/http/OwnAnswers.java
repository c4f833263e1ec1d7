package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tandem.proxy.Outcome;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/** The answers Tandem writes itself (4xx/5xx), all in one shape: status, reason, outcome label, request id. */
final class OwnAnswers {
  private OwnAnswers() {}

  /**
   * Answers {@code outcome}'s status. With {@code close} (or when the request says so) the connection is closed once
   * the answer is written, so nothing after a refused request is read from it. Returns the body size.
   */
  static int send(HttpServerRequest req, Outcome outcome, String requestId, boolean close) {
    HttpServerResponse resp = req.response();
    int status = outcome.status();
    resp.setStatusCode(status);
    if (status == 503) {
      resp.putHeader("retry-after", "1");
    }
    resp.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
    if (requestId != null) {
      resp.putHeader(ForwardingHeaders.X_REQUEST_ID, requestId);
    }
    boolean closing = close || "close".equals(resp.headers().get(HttpHeaders.CONNECTION));
    if (closing) {
      resp.putHeader(HttpHeaders.CONNECTION, "close");
    }
    String text = body(outcome);
    resp.end(Buffer.buffer(text)).onComplete(ar -> {
      if (closing) {
        req.connection().close();
      }
    });
    return text.length();
  }

  /**
   * The same answer as bytes, for Tandem's own HTTP/1.1 path: status line, {@code Content-Type},
   * {@code Content-Length}, {@code Retry-After} on a 503, the request id, {@code extra} header lines (name, value, ...), and
   * {@code Connection: close} when {@code close}; then the body.
   */
  static ByteBuf bytes(ByteBufAllocator alloc, Outcome outcome, String requestId, boolean close, String... extra) {
    String text = body(outcome);
    StringBuilder sb = new StringBuilder(160 + text.length())
        .append("HTTP/1.1 ").append(outcome.status()).append(' ').append(outcome.reason()).append("\r\n")
        .append("content-type: text/plain; charset=utf-8\r\n")
        .append("content-length: ").append(text.length()).append("\r\n");
    if (outcome.status() == 503) {
      sb.append("retry-after: 1\r\n");
    }
    if (requestId != null) {
      sb.append("x-request-id: ").append(requestId).append("\r\n");
    }
    for (int i = 0; i + 1 < extra.length; i += 2) {
      sb.append(extra[i]).append(": ").append(extra[i + 1]).append("\r\n");
    }
    if (close) {
      sb.append("connection: close\r\n");
    }
    sb.append("\r\n").append(text);
    ByteBuf out = alloc.directBuffer(sb.length());
    out.writeCharSequence(sb, StandardCharsets.ISO_8859_1);
    return out;
  }

  /** The body of Tandem's own answer for {@code outcome}, e.g. {@code 503 Service Unavailable (no_backend)}. */
  static String body(Outcome outcome) {
    return outcome.status() + " " + outcome.reason() + " (" + outcome.label() + ")\n";
  }
}
