package io.tandem.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The admin listener (YAML section {@code admin}; a cluster node's address is its {@code nodes[].admin}).
 *
 * @param host           address the admin listener binds, or null when the node has none
 * @param port           its port (0: any free port)
 * @param token          the bearer token state-changing calls need (from {@code token} or the file
 *                       {@code token-file} names), or null when none is configured; never printed
 * @param readsNeedToken whether reads need the token too
 * @param tls            HTTPS certificate and key, or null for plain HTTP
 * @param fanOutTimeout  how long a node waits for the others' admin listeners when it answers for the cluster
 * @param applyTimeout   how long a change waits for every live node to apply it before answering 504
 */
public record AdminConfig(String host, int port, String token, boolean readsNeedToken, Tls tls,
    Duration fanOutTimeout, Duration applyTimeout) {

  public static final Duration DEFAULT_FAN_OUT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_APPLY_TIMEOUT = Duration.ofSeconds(5);

  /** No admin listener (what configurations built in code get unless they ask for one). */
  public static final AdminConfig NONE =
      new AdminConfig(null, 0, null, false, null, DEFAULT_FAN_OUT_TIMEOUT, DEFAULT_APPLY_TIMEOUT);

  /** An admin listener on {@code host:port} with {@code token} (may be null) and the default timeouts. */
  public static AdminConfig listen(String host, int port, String token) {
    return new AdminConfig(host, port, token, false, null, DEFAULT_FAN_OUT_TIMEOUT, DEFAULT_APPLY_TIMEOUT);
  }

  public boolean enabled() {
    return host != null;
  }

  public AdminConfig withReadsNeedToken(boolean reads) {
    return new AdminConfig(host, port, token, reads, tls, fanOutTimeout, applyTimeout);
  }

  public AdminConfig withTimeouts(Duration fanOut, Duration apply) {
    return new AdminConfig(host, port, token, readsNeedToken, tls, fanOut, apply);
  }

  /** PEM files of the admin listener's certificate (chain) and private key. */
  public record Tls(Path cert, Path key) {}

  @Override
  public String toString() {
    // Never print the token.
    return "AdminConfig[host=" + host + ", port=" + port + ", token=" + (token == null ? "none" : "***")
        + ", readsNeedToken=" + readsNeedToken + ", tls=" + tls + ", fanOutTimeout=" + fanOutTimeout
        + ", applyTimeout=" + applyTimeout + "]";
  }
}
