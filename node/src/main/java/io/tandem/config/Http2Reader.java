package io.tandem.config;

import java.time.Duration;

/** Reads a listener's {@code h2c} (HTTP/2 without TLS) and {@code http2} (the HTTP/2 front's guards). */
final class Http2Reader {
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);

  private Http2Reader() {}

  /** {@code h2c: true}: only on a plain listener that reads no PROXY headers. */
  static boolean h2c(YamlMap listener, TlsConfig tls, ProxyProtocolAccept proxyProtocol) {
    boolean h2c = listener.bool("h2c", false);
    if (h2c && tls != null) {
      listener.error("h2c", "applies to plain listeners only; this listener has tls, where HTTP/2 is offered by ALPN"
          + " (h2 in tls.alpn, the default)");
    } else if (h2c && proxyProtocol.accept()) {
      listener.error("h2c", "cannot be combined with proxy-protocol.accept: the PROXY header is read by the HTTP/1.1"
          + " codec only, so an HTTP/2 connection behind it would never be recognised");
    }
    return h2c;
  }

  /** The {@code http2} block, or the defaults; an error on a listener that does not speak HTTP/2. */
  static ListenerConfig.Http2 read(YamlMap listener, boolean speaksHttp2, ListenerConfig.Limits limits) {
    ListenerConfig.Http2 d = ListenerConfig.Http2.defaults(limits);
    if (!listener.has("http2")) {
      return d;
    }
    if (!speaksHttp2) {
      listener.error("http2", "applies only to listeners that speak HTTP/2: h2c: true, or tls with h2 in alpn");
    }
    YamlMap h = listener.map("http2", "max-concurrent-streams", "max-header-list-size", "initial-window-size",
        "connection-window-size", "max-resets", "reset-window");
    int max = Integer.MAX_VALUE;
    int windowMin = ListenerConfig.Http2.MIN_WINDOW_SIZE;
    return new ListenerConfig.Http2(
        h.integer("max-concurrent-streams", d.maxConcurrentStreams(), 1, max),
        h.size("max-header-list-size", d.maxHeaderListSize(), 1, max),
        (int) h.size("initial-window-size", d.initialWindowSize(), windowMin, max),
        (int) h.size("connection-window-size", d.connectionWindowSize(), windowMin, max),
        h.integer("max-resets", d.maxResets(), 1, max),
        resetWindow(h, d.resetWindow()));
  }

  private static Duration resetWindow(YamlMap h, Duration def) {
    Duration w = h.duration("reset-window", def);
    if (w.compareTo(ONE_SECOND) < 0 || w.toMillis() % 1000 != 0) {
      h.error("reset-window", "must be whole seconds, at least 1s (the HTTP/2 codec counts the window in seconds),"
          + " got " + w.toMillis() + "ms");
      return def;
    }
    return w;
  }
}
