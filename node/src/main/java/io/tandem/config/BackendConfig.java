package io.tandem.config;

/**
 * One backend server of a pool.
 *
 * @param id             stable id, unique in the pool; cookies and the cluster refer to a backend by it
 * @param host           host name or IP
 * @param port           TCP port
 * @param weight         relative weight, 1..256 (0 is not allowed: disable a backend through the admin API)
 * @param maxConnections maximum concurrent requests sent to it; 0 means unlimited
 */
public record BackendConfig(String id, String host, int port, int weight, int maxConnections) {}
