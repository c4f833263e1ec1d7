package io.tandem.bootstrap;

import io.tandem.admin.metrics.PrometheusMeters;
import io.tandem.config.NodeSettings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** The node's Vert.x: its event loops, small worker pools, and the socket transport {@code node.transport} asks for. */
final class NodeVertx {
  private static final Logger LOG = LogManager.getLogger(NodeVertx.class);

  private NodeVertx() {}

  /**
   * A Vert.x with {@code loops} event loops, metered by {@code meters}.
   *
   * @throws IllegalStateException when the transport asked for by name is not available here (auto falls back)
   */
  static Vertx create(NodeSettings node, int loops, PrometheusMeters meters) {
    VertxOptions options = new VertxOptions()
        .setPreferNativeTransport(true)
        .setEventLoopPoolSize(loops)
        .setWorkerPoolSize(4)
        .setInternalBlockingPoolSize(4);
    NodeSettings.Transport wanted = node.transport();
    Transport transport = transport(wanted);
    if (wanted != NodeSettings.Transport.AUTO && (transport == null || !transport.available())) {
      throw new IllegalStateException("node.transport: "
          + wanted.name().toLowerCase(Locale.ROOT).replace('_', '-') + " is not available here: "
          + (transport == null ? "its classes are not on the class path" : transport.unavailabilityCause()));
    }
    Vertx vertx = meters.newVertx(options, transport);
    if (wanted == NodeSettings.Transport.AUTO && !vertx.isNativeTransportEnabled()) {
      LOG.warn("native transports (io_uring, epoll) unavailable, using NIO: {}",
          String.valueOf(vertx.unavailableNativeTransportCause()));
    } else {
      LOG.info("socket transport: {}", transport == Transport.IO_URING ? "io_uring"
          : transport == Transport.NIO ? "nio" : "epoll");
    }
    return vertx;
  }

  /**
   * Vert.x's transport for the setting. {@code auto}: io_uring where it loads (it cost 6-20% less CPU per request
   * than epoll side by side, README "Performance"), else null: Vert.x prefers the native epoll, else NIO.
   */
  private static Transport transport(NodeSettings.Transport t) {
    return switch (t) {
      case AUTO -> Transport.IO_URING != null && Transport.IO_URING.available() ? Transport.IO_URING : null;
      case EPOLL -> Transport.EPOLL;
      case IO_URING -> Transport.IO_URING;
      case NIO -> Transport.NIO;
    };
  }
}
