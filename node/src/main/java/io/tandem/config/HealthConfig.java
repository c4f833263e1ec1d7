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
    TCP
  }

  /**
   * @param type          {@code http} or {@code tcp}
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
      int fall) {}

  /**
   * @param consecutiveFailures connection failures or 5xx answers in a row that eject a backend
   * @param ejectionTime        how long an ejected backend stays out
   * @param maxEjectionPercent  at most this share of a pool is ejected at once (0..100)
   */
  public record Passive(int consecutiveFailures, Duration ejectionTime, int maxEjectionPercent) {}
}
