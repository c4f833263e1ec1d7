package io.tandem.admin.metrics;

/**
 * One backend's figures on this node, for the admin API's JSON.
 *
 * @param active     requests in flight from this node
 * @param peerActive requests in flight from the other nodes, as of their latest publication (0 alone)
 * @param outcomes   attempts per outcome: {@code ok}, and the backend's failures ({@code backend_connect_failed}
 *                   counts every failed connection attempt, retried or not)
 * @param latency    durations of the requests whose last attempt went to this backend, as their clients saw them
 */
public record BackendFigures(String pool, String backend, int active, int peerActive, OutcomeFigures outcomes,
    LatencyFigures latency) {}
