package io.tandem.proxy.http;

import io.tandem.util.Outcome;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * What Tandem knows of gRPC: which requests are gRPC calls ({@code content-type: application/grpc*}), their deadline
 * ({@code grpc-timeout}), their service and method (the path), and how Tandem's own refusals are said to a gRPC
 * client: HTTP 200 with {@code grpc-status} and {@code grpc-message} and no body (a trailers-only response), since a
 * gRPC client reads the status from there, not from the HTTP status (gRPC's PROTOCOL-HTTP2 and
 * http-grpc-status-mapping).
 */
final class Grpc {
  static final String OK = "0";
  static final int DEADLINE_EXCEEDED = 4;
  static final int RESOURCE_EXHAUSTED = 8;
  static final int UNAVAILABLE = 14;

  private Grpc() {}

  /**
   * A finished gRPC call as the access log and the metrics tell it: {@code -} for a path that names no method, and
   * for a status nobody gave (the client went away, the backend ended without one).
   */
  record Call(String service, String method, String status) {
    static Call of(String path, String status) {
      String service = Grpc.service(path);
      String method = Grpc.method(path);
      return new Call(service == null ? "-" : service, method == null ? "-" : method, status == null ? "-" : status);
    }
  }

  /** Whether a request with this content type is a gRPC call. */
  static boolean isGrpc(String contentType) {
    if (contentType == null || !contentType.regionMatches(true, 0, "application/grpc", 0, 16)) {
      return false;
    }
    if (contentType.length() == 16) {
      return true;
    }
    char next = contentType.charAt(16);
    return next == '+' || next == ';';
  }

  /** The gRPC status code of Tandem's own answer for {@code outcome} (its HTTP status mapped where no rule says). */
  static int status(Outcome outcome, int httpStatus) {
    return switch (outcome) {
      case BACKEND_TIMEOUT, QUEUE_TIMEOUT, CLIENT_TIMEOUT -> DEADLINE_EXCEEDED;
      case RATE_LIMITED, QUEUE_FULL, BODY_TOO_LARGE, HEADERS_TOO_LARGE, TOO_MANY_HEADERS -> RESOURCE_EXHAUSTED;
      case NO_BACKEND, BACKEND_CONNECT_FAILED, BACKEND_ERROR, CIRCUIT_OPEN -> UNAVAILABLE;
      case DENIED -> 7;   // PERMISSION_DENIED
      default -> fromHttp(httpStatus);
    };
  }

  /** gRPC's mapping of an HTTP status that a gRPC client meets instead of a gRPC answer. */
  static int fromHttp(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> 13;               // INTERNAL
      case 401 -> 16;               // UNAUTHENTICATED
      case 403 -> 7;                // PERMISSION_DENIED
      case 404 -> 12;               // UNIMPLEMENTED
      case 429, 502, 503, 504 -> UNAVAILABLE;
      default -> 2;                 // UNKNOWN
    };
  }

  /**
   * The deadline a {@code grpc-timeout} value gives, in nanoseconds: up to 8 digits and a unit (H, M, S, m, u, n);
   * -1 when absent or malformed (then the pool's time-outs alone apply).
   */
  static long timeoutNanos(String value) {
    if (value == null) {
      return -1;
    }
    int n = value.length();
    if (n < 2 || n > 9) {
      return -1;
    }
    long amount = 0;
    for (int i = 0; i < n - 1; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      amount = amount * 10 + (c - '0');
    }
    long unit = switch (value.charAt(n - 1)) {
      case 'H' -> 3_600_000_000_000L;
      case 'M' -> 60_000_000_000L;
      case 'S' -> 1_000_000_000L;
      case 'm' -> 1_000_000L;
      case 'u' -> 1_000L;
      case 'n' -> 1L;
      default -> -1;
    };
    if (unit < 0) {
      return -1;
    }
    return amount > Long.MAX_VALUE / unit ? Long.MAX_VALUE : amount * unit;
  }

  /** The service of a gRPC path ({@code /pkg.Service/Method}), or null when the path is not of that form. */
  static String service(String path) {
    int slash = path == null ? -1 : path.indexOf('/', 1);
    return path == null || !path.startsWith("/") || slash < 2 ? null : path.substring(1, slash);
  }

  /** The method of a gRPC path, or null. */
  static String method(String path) {
    int slash = path == null ? -1 : path.indexOf('/', 1);
    if (slash < 2 || slash == path.length() - 1) {
      return null;
    }
    int query = path.indexOf('?', slash);
    return path.substring(slash + 1, query < 0 ? path.length() : query);
  }

  /** Percent-encodes a status message as {@code grpc-message} wants it (printable ASCII but '%' kept as is). */
  static String message(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (byte b : utf8) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '%') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** Answers a gRPC call with Tandem's own refusal: trailers-only, HTTP 200. Returns the gRPC status sent. */
  static int answer(HttpServerRequest req, Outcome outcome, int httpStatus, String requestId) {
    int code = status(outcome, httpStatus);
    HttpServerResponse resp = req.response();
    resp.setStatusCode(200);
    resp.headers().remove("content-length");
    resp.putHeader("content-type", "application/grpc");
    resp.putHeader("grpc-status", Integer.toString(code));
    resp.putHeader("grpc-message", message("tandem: " + outcome.label()));
    if (requestId != null) {
      resp.putHeader(ForwardingHeaders.X_REQUEST_ID, requestId);
    }
    resp.end();
    return code;
  }

  /**
   * Ends a gRPC response whose head already went out with a status of Tandem's (the backend failed or timed out
   * mid-call): the trailers carry it, so the client reads a status rather than a reset.
   */
  static int endWith(HttpServerResponse resp, Outcome outcome) {
    int code = status(outcome, outcome.status());
    resp.putTrailer("grpc-status", Integer.toString(code));
    resp.putTrailer("grpc-message", message("tandem: " + outcome.label()));
    resp.end();
    return code;
  }
}
