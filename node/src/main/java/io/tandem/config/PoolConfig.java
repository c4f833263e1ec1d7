package io.tandem.config;

import java.time.Duration;
import java.util.List;

/**
 * A backend pool (YAML list {@code pools}).
 *
 * @param name        unique name
 * @param algorithm   load-balancing algorithm
 * @param hashKey     key for {@link Algorithm#CONSISTENT_HASH}, else null
 * @param backends    the servers, at least one
 * @param health      health checking
 * @param queue       what happens when every candidate backend is at its maxConnections
 * @param persistence session persistence
 * @param retries     retry policy
 * @param timeouts    backend-side timeouts
 * @param connectionPoolSize maximum pooled HTTP/1.1 connections per backend
 */
public record PoolConfig(
    String name,
    Algorithm algorithm,
    HashKey hashKey,
    List<BackendConfig> backends,
    HealthConfig health,
    Queue queue,
    PersistenceConfig persistence,
    Retries retries,
    Timeouts timeouts,
    int connectionPoolSize) {

  public PoolConfig {
    backends = List.copyOf(backends);
  }

  /** This pool with other backends (runtime adds and removes); every other setting is kept. */
  public PoolConfig withBackends(List<BackendConfig> others) {
    return new PoolConfig(name, algorithm, hashKey, others, health, queue, persistence, retries, timeouts,
        connectionPoolSize);
  }

  /**
   * @param maxSize requests that may wait for a free backend; 0 answers 503 at once
   * @param timeout a request that waited this long gets 503
   */
  public record Queue(int maxSize, Duration timeout) {
    public static final Queue DEFAULTS = new Queue(1024, Duration.ofSeconds(5));
  }

  /**
   * @param connectAttempts  backends tried when a connection cannot be made (1 means no retry)
   * @param retryIdempotent  retry GET/HEAD/OPTIONS/PUT/DELETE/TRACE on another backend when the request was sent but
   *                         the connection failed before any response byte, and no request body was streamed yet
   */
  public record Retries(int connectAttempts, boolean retryIdempotent) {
    public static final Retries DEFAULTS = new Retries(3, false);
  }

  /**
   * @param connect   TCP connect to a backend (502 and retry beyond)
   * @param response  from sending the request until the response head arrives (504 beyond)
   * @param idle      a pooled backend connection unused this long is closed
   */
  public record Timeouts(Duration connect, Duration response, Duration idle) {
    public static final Timeouts DEFAULTS =
        new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60));
  }
}
