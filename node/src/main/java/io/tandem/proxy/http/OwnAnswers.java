package io.tandem.proxy.http;

import io.tandem.proxy.Outcome;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

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

  /** The body of Tandem's own answer for {@code outcome}, e.g. {@code 503 Service Unavailable (no_backend)}. */
  static String body(Outcome outcome) {
    return outcome.status() + " " + outcome.reason() + " (" + outcome.label() + ")\n";
  }
}
