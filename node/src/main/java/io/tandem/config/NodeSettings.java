package io.tandem.config;

import java.time.Duration;

/**
 * Process-wide settings (YAML section {@code node}).
 *
 * @param eventLoops   number of event loops for the data plane; 0 means one per core
 * @param drainTimeout how long a graceful stop waits for in-flight requests
 * @param transport    the socket transport of every listener and backend connection
 */
public record NodeSettings(int eventLoops, Duration drainTimeout, Transport transport) {
  public static final NodeSettings DEFAULTS = new NodeSettings(0, Duration.ofSeconds(30));

  /** Netty's socket transport ({@code node.transport}). */
  public enum Transport {
    /** The native one that measured best on Linux: io_uring where it loads, else epoll, else NIO. */
    AUTO,
    /** Linux epoll; the node refuses to start without it. */
    EPOLL,
    /** Linux io_uring (kernel 5.14 or later); the node refuses to start without it. */
    IO_URING,
    /** Java NIO, everywhere. */
    NIO
  }

  public NodeSettings(int eventLoops, Duration drainTimeout) {
    this(eventLoops, drainTimeout, Transport.AUTO);
  }
}
