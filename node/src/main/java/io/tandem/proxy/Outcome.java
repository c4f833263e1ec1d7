package io.tandem.proxy;

/**
 * How a request (L7) or connection (L4) ended. Every request ends in exactly one value; the same value feeds the
 * access log, the counters behind the metrics and the admin API.
 */
public enum Outcome {
  /** The backend answered and the answer reached the client (whatever its status). */
  OK(0, "ok"),
  /** No backend could be connected to, after retries. */
  BACKEND_CONNECT_FAILED(502, "backend_connect_failed"),
  /** The backend closed or reset the connection, or sent an unparseable answer. */
  BACKEND_ERROR(502, "backend_error"),
  /** The backend did not answer within the response timeout. */
  BACKEND_TIMEOUT(504, "backend_timeout"),
  /** The pool had no eligible backend. */
  NO_BACKEND(503, "no_backend"),
  /** Every candidate backend was at its connection limit and the queue was full. */
  QUEUE_FULL(503, "queue_full"),
  /** The request waited in the queue longer than the queue timeout. */
  QUEUE_TIMEOUT(503, "queue_timeout"),
  /** Malformed or ambiguous request (bad framing, smuggling attempt). */
  BAD_REQUEST(400, "bad_request"),
  /** The client was too slow sending the request head or body. */
  CLIENT_TIMEOUT(408, "client_timeout"),
  /** Request body larger than allowed. */
  BODY_TOO_LARGE(413, "body_too_large"),
  /** Request line longer than allowed. */
  URI_TOO_LONG(414, "uri_too_long"),
  /** Request headers larger than allowed. */
  HEADERS_TOO_LARGE(431, "headers_too_large"),
  /** The client went away before the answer was complete. */
  CLIENT_ABORTED(0, "client_aborted"),
  /** The listener was at its connection limit; the connection was closed at once. */
  LISTENER_FULL(0, "listener_full"),
  /** A WebSocket (or other upgrade) tunnel was established and ran to its end. */
  UPGRADED(101, "upgraded");

  private final int status;
  private final String label;

  Outcome(int status, String label) {
    this.status = status;
    this.label = label;
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
