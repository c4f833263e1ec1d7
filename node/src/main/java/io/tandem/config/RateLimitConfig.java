package io.tandem.config;

import java.time.Duration;

/**
 * One cluster-wide rate-limit rule of a listener (YAML {@code listeners[].rate-limits[]}): requests that match are
 * counted in a token bucket per key; {@code rate} tokens per {@code period} refill it, up to {@code burst}.
 *
 * @param name       unique within the listener; used in logs, metrics and the admin API
 * @param pathPrefix match: the path starts with this, or null for any
 * @param host       match: the Host header without port, lower case, or null for any
 * @param pool       match: the pool the request was routed to, or null for any
 * @param key        what identifies a client
 * @param keyName    the header or cookie name for {@link Key#HEADER} and {@link Key#COOKIE}, else null
 * @param rate       requests admitted per {@code period}, cluster-wide
 * @param period     the period of {@code rate}
 * @param burst      requests admitted at once after a quiet time (the bucket's size), cluster-wide
 * @param maxKeys    keys tracked at most on this node; beyond, new keys share one overflow bucket
 */
public record RateLimitConfig(
    String name,
    String pathPrefix,
    String host,
    String pool,
    Key key,
    String keyName,
    long rate,
    Duration period,
    int burst,
    int maxKeys) {

  public static final int DEFAULT_MAX_KEYS = 100_000;

  /** What a bucket is keyed by. */
  public enum Key {
    /** The client address. */
    SOURCE,
    /** A request header, e.g. an API key; requests without it share one bucket. */
    HEADER,
    /** A cookie; requests without it share one bucket. */
    COOKIE,
    /** The pool the request is routed to: one bucket per route target. */
    ROUTE
  }

  /** Nanoseconds between two tokens. */
  public long intervalNanos() {
    return Math.max(1, period.toNanos() / rate);
  }
}
