package io.tandem.config;

import java.time.Duration;

/** Reads a listener's {@code http3} block: HTTP/3 over QUIC beside a TLS listener. */
final class Http3Reader {
  private static final Duration MIN_IDLE = Duration.ofSeconds(1);

  private Http3Reader() {}

  /**
   * {@code http3: {enabled: true, ...}}, or null when absent or not enabled. Only a TLS listener may have it (QUIC
   * is TLS 1.3 inside), with {@code h3} in its certificates' reach: the same certificates serve both.
   */
  static ListenerConfig.Http3 read(YamlMap listener, TlsConfig tls) {
    if (!listener.has("http3")) {
      return null;
    }
    YamlMap h = listener.map("http3", "enabled", "port", "max-connections", "max-streams", "idle-timeout", "retry",
        "retry-threshold", "early-data", "alt-svc-max-age", "connection-window", "stream-window");
    if (!h.bool("enabled", true)) {
      return null;
    }
    if (tls == null) {
      listener.error("http3", "needs a listener with tls: QUIC carries TLS 1.3, with the listener's certificates");
      return null;
    }
    if (!tls.protocols().contains("TLSv1.3")) {
      listener.error("http3", "needs TLSv1.3 in tls.protocols: QUIC speaks TLS 1.3 only");
    }
    ListenerConfig.Http3 d = ListenerConfig.Http3.defaults();
    int max = Integer.MAX_VALUE;
    Duration idle = h.duration("idle-timeout", d.idleTimeout());
    if (idle.compareTo(MIN_IDLE) < 0) {
      h.error("idle-timeout", "must be at least 1s, got " + idle.toMillis() + "ms");
      idle = d.idleTimeout();
    }
    return new ListenerConfig.Http3(
        h.integer("port", d.port(), 0, 65535),
        h.integer("max-connections", d.maxConnections(), 1, max),
        h.integer("max-streams", d.maxStreams(), 1, 1 << 20),
        idle,
        h.choice("retry", ListenerConfig.Http3.Retry.class, d.retry()),
        h.integer("retry-threshold", d.retryThreshold(), 0, max),
        h.bool("early-data", d.earlyData()),
        h.duration("alt-svc-max-age", d.altSvcMaxAge()),
        h.size("connection-window", d.connectionWindow(), 64 * 1024, 1L << 40),
        h.size("stream-window", d.streamWindow(), 16 * 1024, 1L << 40));
  }
}
