package io.tandem.config;

import java.nio.file.Path;

/**
 * TLS to a pool's backends (YAML {@code pools[].tls}): re-encryption.
 *
 * @param ca         CA bundle the backends' certificates must chain to; null: the JVM's default trust store
 * @param serverName SNI name sent to backends and the name their certificates are checked against; null: the
 *                   backend's address host
 * @param trustAll   accept any backend certificate without checking (explicitly asked for; never the default)
 */
public record BackendTlsConfig(Path ca, String serverName, boolean trustAll) {}
