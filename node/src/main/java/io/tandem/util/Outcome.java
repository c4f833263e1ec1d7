package io.tandem.util;

/**
 * How a request (L7) or connection (L4) ended. Every request ends in exactly one value; the same value feeds the
 * access log, the counters behind the metrics and the admin API.
 */
public enum Outcome {
  /** The backend answered and the answer reached the client (whatever its status). */
  OK(0, "ok", "OK"),
  /** No backend could be connected to, after retries. */
  BACKEND_CONNECT_FAILED(502, "backend_connect_failed", "Bad Gateway"),
  /** The backend closed or reset the connection, or sent an unparseable answer. */
  BACKEND_ERROR(502, "backend_error", "Bad Gateway"),
  /** The backend did not answer within the response timeout. */
  BACKEND_TIMEOUT(504, "backend_timeout", "Gateway Timeout"),
  /** The pool had no eligible backend. */
  NO_BACKEND(503, "no_backend", "Service Unavailable"),
  /** Every candidate backend was at its connection limit and the queue was full. */
  QUEUE_FULL(503, "queue_full", "Service Unavailable"),
  /** The request waited in the queue longer than the queue timeout. */
  QUEUE_TIMEOUT(503, "queue_timeout", "Service Unavailable"),
  /** Malformed or ambiguous request (bad framing, smuggling attempt). */
  BAD_REQUEST(400, "bad_request", "Bad Request"),
  /** The client was too slow sending the request head or body. */
  CLIENT_TIMEOUT(408, "client_timeout", "Request Timeout"),
  /** Request body larger than allowed. */
  BODY_TOO_LARGE(413, "body_too_large", "Content Too Large"),
  /** Request line longer than allowed. */
  URI_TOO_LONG(414, "uri_too_long", "URI Too Long"),
  /** The request's HTTP version is not 1.0 or 1.1 (HTTP/2 and later come by ALPN, not by a request line). */
  VERSION_NOT_SUPPORTED(505, "version_not_supported", "HTTP Version Not Supported"),
  /** Request headers larger than allowed. */
  HEADERS_TOO_LARGE(431, "headers_too_large", "Request Header Fields Too Large"),
  /** The client went away before the answer was complete. */
  CLIENT_ABORTED(0, "client_aborted", ""),
  /** The listener was at its connection limit; the connection was closed at once. */
  LISTENER_FULL(0, "listener_full", ""),
  /** A rate-limit rule refused the request (429 with Retry-After and RateLimit-* headers). */
  RATE_LIMITED(429, "rate_limited", "Too Many Requests"),
  /** The client address was at its {@code max-connections-per-client}; the connection was closed at once. */
  CLIENT_CONNECTIONS(0, "client_connections", ""),
  /** More header fields than the listener's {@code limits.max-header-count}. */
  TOO_MANY_HEADERS(431, "too_many_headers", "Request Header Fields Too Large"),
  /** The pool's circuit breaker was open: answered 503 at once without trying a backend. */
  CIRCUIT_OPEN(503, "circuit_open", "Service Unavailable"),
  /** A WebSocket (or other upgrade) tunnel was established and ran to its end. */
  UPGRADED(101, "upgraded", "Switching Protocols"),
  /** L4: no byte in either direction for the listener's idle timeout; both connections were closed. */
  IDLE_TIMEOUT(0, "idle_timeout", ""),
  /** L4: a PROXY protocol header from a trusted sender was malformed (or incomplete in time); connection closed. */
  PROXY_HEADER_INVALID(0, "proxy_header_invalid", ""),
  /** L4: a connection from an address not trusted to send PROXY protocol headers started with one; closed. */
  PROXY_HEADER_UNTRUSTED(0, "proxy_header_untrusted", ""),
  /**
   * Sent elsewhere without a backend: a plain HTTP listener with {@code redirect-to-https} (308), or a route's
   * {@code redirect} action (its own status).
   */
  REDIRECTED(308, "redirected", "Permanent Redirect"),
  /** A route's access action ({@code allow}, {@code deny}, or CORS from an origin not allowed) refused it: 403. */
  DENIED(403, "denied", "Forbidden"),
  /** A route's action answered it without a backend ({@code return}, or a CORS preflight), with its own status. */
  RETURNED(200, "returned", "OK"),
  /** A TLS handshake failed (not TLS at all, no common protocol or cipher, a refused client certificate): closed. */
  TLS_HANDSHAKE_FAILED(0, "tls_handshake_failed", ""),
  /**
   * An HTTP/2 connection sent (or made the server send) more RST_STREAM frames than {@code http2.max-resets} per
   * {@code http2.reset-window}: closed with GOAWAY ENHANCE_YOUR_CALM (rapid reset, CVE-2023-44487).
   */
  H2_RESET_FLOOD(0, "h2_reset_flood", ""),
  /**
   * HTTP/3 with {@code early-data}: a request of a method that is not safe arrived in 0-RTT data, which an attacker
   * could replay; answered 425 (RFC 8470), and the client sends it again after the handshake.
   */
  TOO_EARLY(425, "too_early", "Too Early");

  private final int status;
  private final String label;
  private final String reason;

  Outcome(int status, String label, String reason) {
    this.status = status;
    this.label = label;
    this.reason = reason;
  }

  /** The reason phrase of {@link #status()}, for Tandem's own answers. */
  public String reason() {
    return reason;
  }

  /** The status Tandem itself answers with for this outcome, or 0 when it answers nothing itself. */
  public int status() {
    return status;
  }

  /** Stable lower-case name for logs and metrics. */
  public String label() {
    return label;
  }
}
