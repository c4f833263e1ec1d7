package io.tandem.health;

import io.vertx.core.Future;

/**
 * One active health check of one backend, e.g. an HTTP GET that must answer 2xx, or a TCP connect.
 *
 * <p>The {@link ActiveHealthChecker} calls it once per interval and feeds the outcome to a {@link HealthStateMachine}.
 * A probe never throws and its future never fails: every problem (refused connection, timeout, wrong status) is a
 * {@link ProbeResult} with {@code ok == false} and a detail that tells an operator what went wrong. The probe enforces
 * its own timeout. Example:
 *
 * <pre>{@code
 * Probe probe = new Probes(vertx).forConfig(pool.health().active());
 * probe.probe(backend).onSuccess(r -> log.info("{}: {}", backend, r.detail())); // "status 200" or "connection refused"
 * }</pre>
 *
 * <p>Tests use a fake implementation whose answers they set, so the checker is tested without a network.
 */
@FunctionalInterface
public interface Probe {

  /** Checks {@code target} once; completes (never fails) with the outcome within the probe's timeout. */
  Future<ProbeResult> probe(ProbeTarget target);
}
