package io.tandem.proxy.http;

import io.tandem.config.ListenerConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Vert.x server options an HTTP listener runs with, from its config: what the TLS listener's {@code HttpServer}
 * and the h2c listener's HTTP/2 handler are built with. Kept apart from the verticle, which only uses them: the
 * limits, the HTTP/2 guards and the ALPN offer are read here in one place.
 */
final class HttpServerSetup {
  private HttpServerSetup() {
  }

  static HttpServerOptions serverOptions(ListenerConfig lc, int port) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(lc.host())
        .setPort(port)
        .setIdleTimeout((int) Math.max(1, lc.timeouts().idle().toMillis()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        // The request line is "METHOD SP URI SP VERSION": allow for method and version around the URI limit.
        .setMaxInitialLineLength(lc.limits().maxUriLength() + 32)
        .setMaxHeaderSize(lc.limits().maxHeaderSize())
        .setHandle100ContinueAutomatically(false)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setTcpNoDelay(true)
        .setReuseAddress(true)
        .setAcceptBacklog(1024)
        // No h2c sniffing: the HTTP/1 pipeline then exists at accept time, so the guards can be installed first.
        .setHttp2ClearTextEnabled(false)
        // WebSockets are tunnelled as bytes, never terminated: no extension handlers in the pipeline.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    return http2Guards(options, lc.http2());
  }

  /** The HTTP/2 front's guards: announced in the server's SETTINGS, enforced by Netty's HTTP/2 codec. */
  private static HttpServerOptions http2Guards(HttpServerOptions options, ListenerConfig.Http2 h2) {
    options.getInitialSettings()
        .setMaxConcurrentStreams(h2.maxConcurrentStreams())
        .setMaxHeaderListSize(h2.maxHeaderListSize())
        .setInitialWindowSize(h2.initialWindowSize());
    return options
        .setHttp2ConnectionWindowSize(h2.connectionWindowSize())
        // Netty counts both the client's RST_STREAMs and those the server sends (streams it refused) against this.
        .setHttp2RstFloodMaxRstFramePerWindow(h2.maxResets())
        .setHttp2RstFloodWindowDuration((int) h2.resetWindow().toSeconds())
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
  }

  /** The TLS config's ALPN protocols as Vert.x versions ("h2", else HTTP/1.1); HTTP/1.1 alone when none is set. */
  static List<HttpVersion> alpnVersions(List<String> alpn) {
    List<HttpVersion> versions = new ArrayList<>();
    for (String p : alpn) {
      versions.add(p.equals("h2") ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
    }
    return versions.isEmpty() ? List.of(HttpVersion.HTTP_1_1) : versions;
  }
}
