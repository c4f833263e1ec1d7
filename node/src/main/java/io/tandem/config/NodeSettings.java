package io.tandem.config;

import java.time.Duration;

/**
 * Process-wide settings (YAML section {@code node}).
 *
 * @param eventLoops   number of event loops for the data plane; 0 means one per core
 * @param drainTimeout how long a graceful stop waits for in-flight requests
 * @param http1Codec   which HTTP/1.1 codec carries {@code protocol: http} listeners (while Tandem's own replaces
 *                     Vert.x's; the setting goes once the old one is removed)
 */
public record NodeSettings(int eventLoops, Duration drainTimeout, Http1Codec http1Codec) {
  public static final NodeSettings DEFAULTS = new NodeSettings(0, Duration.ofSeconds(30));

  /** The HTTP/1.1 codec of the data path ({@code node.http1-codec}). */
  public enum Http1Codec {
    /** Tandem's own: heads parsed in place, bytes spliced, per-loop backend connections. */
    TANDEM,
    /** Vert.x's HttpServer and HttpClient (the path before Tandem's own codec). */
    VERTX
  }

  public NodeSettings(int eventLoops, Duration drainTimeout) {
    this(eventLoops, drainTimeout, Http1Codec.TANDEM);
  }
}
