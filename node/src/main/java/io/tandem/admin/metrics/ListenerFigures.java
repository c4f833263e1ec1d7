package io.tandem.admin.metrics;

/**
 * One listener's figures on this node, for the admin API's JSON.
 *
 * @param connections open client connections
 * @param outcomes    requests (and refused connections: {@code listener_full}) per outcome
 * @param latency     durations of the requests it proxied or answered itself, from request head to outcome
 */
public record ListenerFigures(String listener, int connections, OutcomeFigures outcomes, LatencyFigures latency) {}
