package io.tandem.health;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Outcome of one probe.
 *
 * @param ok      whether the backend passed
 * @param detail  what was seen, for logs and the admin API: "status 200", "status 500", "connection refused",
 *                "timeout after 1000ms", "body does not contain 'ok'", ...
 * @param latency time from the start of the probe to its outcome
 */
public record ProbeResult(boolean ok, String detail, Duration latency) {

  public static ProbeResult passed(String detail, Duration latency) {
    return new ProbeResult(true, detail, latency);
  }

  public static ProbeResult failed(String detail, Duration latency) {
    return new ProbeResult(false, detail, latency);
  }

  /** A failed result describing {@code error} in operator terms. */
  public static ProbeResult failed(Throwable error, Duration timeout, Duration latency) {
    return failed(describe(error, timeout), latency);
  }

  static String describe(Throwable error, Duration timeout) {
    if (error instanceof TimeoutException || error.getClass().getSimpleName().contains("Timeout")) {
      return "timeout after " + timeout.toMillis() + "ms"; // also netty's ConnectTimeoutException
    }
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    if (error instanceof ConnectException) {
      return message.contains("refused") ? "connection refused" : "connect failed: " + message;
    }
    if (error instanceof UnknownHostException) {
      return "unknown host: " + message;
    }
    if (error instanceof io.vertx.core.http.HttpClosedException) {
      return "connection closed before the response ended";
    }
    if (error instanceof SSLException) { // Vert.x's own message says only that the handshake failed
      Throwable root = error;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return "TLS handshake failed: " + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
    }
    return "error: " + message;
  }
}
