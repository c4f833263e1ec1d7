package io.tandem.proxy.http;

import io.tandem.config.ListenerConfig;
import io.tandem.util.Outcome;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * The request-head checks the HTTP/2 front makes before routing: header count and body size (HTTP/1.x requests are
 * checked by Tandem's own codec, {@link io.tandem.proxy.h1.RequestHeadParser}; HTTP/2 frames its own messages, so
 * what is left needs the decoded headers). Pure: no I/O, never throws.
 *
 * <pre>{@code
 * RequestFraming f = RequestFraming.check(req.headers(), limits);
 * if (f.refusal() != null) { ... answer f.refusal(), log f.reason() ... }
 * }</pre>
 *
 * @param refusal why the request must not be forwarded (answered with its status), or null
 * @param reason  the refusal in words, for the log
 * @param hasBody whether a request body follows (chunked, or a Content-Length above 0)
 */
record RequestFraming(Outcome refusal, String reason, boolean hasBody) {

  static RequestFraming check(MultiMap headers, ListenerConfig.Limits limits) {
    if (RequestKeys.headerCountOver(headers, limits.maxHeaderCount())) {
      return refuse(Outcome.TOO_MANY_HEADERS, "more than " + limits.maxHeaderCount() + " header fields");
    }
    boolean hasBody = headers.contains(HttpHeaders.TRANSFER_ENCODING);
    String cl = headers.get(HttpHeaders.CONTENT_LENGTH);
    if (cl != null) {
      long length = parseLength(cl);
      if (length < 0) {
        return refuse(Outcome.BAD_REQUEST, "invalid Content-Length");
      }
      long max = limits.maxBodySize();
      if (max > 0 && length > max) {
        return refuse(Outcome.BODY_TOO_LARGE, "Content-Length " + length + " over " + max);
      }
      hasBody = length > 0;
    }
    return new RequestFraming(null, null, hasBody);
  }

  private static RequestFraming refuse(Outcome outcome, String why) {
    return new RequestFraming(outcome, why, false);
  }

  /** The Content-Length value, or -1 when it is not a non-negative decimal number. */
  private static long parseLength(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
