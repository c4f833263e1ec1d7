package io.tandem.config;

import java.time.Duration;

/**
 * Health checking of a pool's backends.
 *
 * @param active  periodic probes, or null for none (backends then count as healthy unless passively ejected)
 * @param passive outlier ejection from real traffic, or null for none
 */
public record HealthConfig(Active active, Passive passive) {

  public enum CheckType {
    HTTP,
    TCP,
    GRPC
  }

  /**
   * @param type          {@code http}, {@code tcp} or {@code grpc}
   * @param method        HTTP method of the probe
   * @param path          HTTP path of the probe
   * @param host          Host header of the probe, or null for the backend address
   * @param expectStatusMin lowest accepted status
   * @param expectStatusMax highest accepted status
   * @param expectBody    text the body must contain, or null
   * @param interval      time between probes of one backend
   * @param timeout       a probe slower than this fails
   * @param rise          consecutive successes that make a backend healthy
   * @param fall          consecutive failures that make a backend unhealthy
   * @param service       grpc: the service asked about, {@code ""} for the server as a whole; null for other types
   * @param tls           grpc: the pool's backend TLS, which the check speaks (HTTP/2 by ALPN); null for cleartext
   *                      HTTP/2 and for other types (an http check is always plain)
   */
  public record Active(
      CheckType type,
      String method,
      String path,
      String host,
      int expectStatusMin,
      int expectStatusMax,
      String expectBody,
      Duration interval,
      Duration timeout,
      int rise,
      int fall,
      String service,
      BackendTlsConfig tls) {

    /** An http or tcp check. */
    public Active(CheckType type, String method, String path, String host, int expectStatusMin, int expectStatusMax,
        String expectBody, Duration interval, Duration timeout, int rise, int fall) {
      this(type, method, path, host, expectStatusMin, expectStatusMax, expectBody, interval, timeout, rise, fall,
          null, null);
    }

    /** A grpc check of {@code service} ({@code ""}: the whole server), over TLS when {@code tls} is not null. */
    public static Active grpc(String service, BackendTlsConfig tls, Duration interval, Duration timeout, int rise,
        int fall) {
      return new Active(CheckType.GRPC, null, null, null, 0, 0, null, interval, timeout, rise, fall, service, tls);
    }
  }

  /**
   * @param consecutiveFailures connection failures or 5xx answers in a row that eject a backend
   * @param ejectionTime        how long an ejected backend stays out
   * @param maxEjectionPercent  at most this share of a pool is ejected at once (0..100)
   */
  public record Passive(int consecutiveFailures, Duration ejectionTime, int maxEjectionPercent) {}
}
