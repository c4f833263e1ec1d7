package io.tandem.proxy.http;

import io.netty.channel.EventLoop;
import io.tandem.config.ListenerConfig;
import io.tandem.proxy.h3.QuicServer;
import io.tandem.util.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.VertxInternal;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A TLS listener's HTTP/3 side: the UDP socket bound on an event loop, its streams handed to {@link H3Streams}, and
 * the {@code Alt-Svc} the listener starts advertising once it is bound. Apart from the verticle because it shares
 * nothing with the TCP side but the listener and the loop's HTTP/1.1 state.
 */
final class Http3Binding {
  private static final Logger LOG = LogManager.getLogger(HttpListenerVerticle.class);

  private Http3Binding() {
  }

  /**
   * Binds HTTP/3 for {@code runtime} on the TCP port's number unless another is configured, and completes on
   * {@code context}.
   */
  static Future<QuicServer> bind(ListenerRuntime runtime, int tcpPort, Context context, VertxInternal vx,
      EventLoop nettyLoop, Http1Loop h1, Object owner) {
    ListenerConfig lc = runtime.config();
    ListenerConfig.Http3 h3 = lc.http3();
    int udpPort = h3.udpPort(tcpPort);
    Promise<QuicServer> bound = Promise.promise();
    QuicServer.bind(runtime.name(), h3, lc.host(), udpPort, nettyLoop, vx.transport()::datagramChannel,
        runtime.tls(), runtime.quicRelay(), lc.limits().maxHeaderSize(), new H3Streams(runtime, h1), runtime.http3(),
        () -> runtime.record(Outcome.LISTENER_FULL)).whenComplete((q, err) -> context.runOnContext(v -> {
          if (err != null) {
            runtime.releaseHttp3(owner);
            bound.fail(new IllegalStateException("HTTP/3 (UDP " + lc.host() + ":" + udpPort + "): " + err.getMessage(),
                err));
            return;
          }
          runtime.quicServer(q);
          runtime.altSvc("h3=\":" + q.port() + "\"; ma=" + h3.altSvcMaxAge().toSeconds());
          LOG.info("listener {} serving HTTP/3 on udp {}:{}", runtime.name(), lc.host(), q.port());
          bound.complete(q);
        }));
    return bound.future();
  }
}
