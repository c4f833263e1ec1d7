package io.tandem.proxy.http;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.ssl.NotSslRecordException;
import io.tandem.config.ListenerConfig;
import io.tandem.util.Outcome;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import javax.net.ssl.SSLException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What goes wrong on the part of a listener that Vert.x serves (TLS handshakes, the HTTP/2 front, requests Vert.x's
 * decoder could not read), each counted as its {@link Outcome} on the listener. The verticle only routes Vert.x's
 * handlers here.
 */
final class FrontErrors {
  private static final Logger LOG = LogManager.getLogger(HttpListenerVerticle.class);

  private FrontErrors() {
  }

  /**
   * What fails on an HTTP/2 connection: a GOAWAY of the reset guard (ENHANCE_YOUR_CALM, more RST_STREAM frames than
   * {@code http2.max-resets} per {@code http2.reset-window}) is counted as {@code h2_reset_flood}; the connection
   * closes.
   */
  static void onHttp2Error(ListenerRuntime runtime, HttpConnection conn, Throwable err) {
    if (isResetFlood(err)) {
      runtime.record(Outcome.H2_RESET_FLOOD);
      ListenerConfig.Http2 h2 = runtime.config().http2();
      LOG.info("closed HTTP/2 connection from {} on {}: more than {} RST_STREAM frames in {} s (rapid reset)",
          conn.remoteAddress(), runtime.name(), h2.maxResets(), h2.resetWindow().toSeconds());
      return;
    }
    onServerException(runtime, err);
  }

  /** Netty's reset guards (the client's RST_STREAMs, and the server's own) end a connection with this error. */
  private static boolean isResetFlood(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof Http2Exception e && e.error() == Http2Error.ENHANCE_YOUR_CALM && e.getMessage() != null
          && e.getMessage().contains("RST frames")) {
        return true;
      }
    }
    return false;
  }

  /** Connection-level failures before any request; failed TLS handshakes are counted (the connection is closed). */
  static void onServerException(ListenerRuntime runtime, Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof NotSslRecordException) {
        runtime.record(Outcome.TLS_HANDSHAKE_FAILED);
        LOG.debug("TLS handshake failed on {}: {}", runtime.name(), t.toString());
        return;
      }
    }
    LOG.debug("connection error on {}: {}", runtime.name(), err.toString());
  }

  /** A request Vert.x's decoder refused (before Tandem's codec takes the connection): answered and counted. */
  static void onInvalidRequest(ListenerRuntime runtime, HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    Outcome outcome;
    if (cause instanceof TooLongHttpLineException) {
      outcome = Outcome.URI_TOO_LONG;
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      outcome = Outcome.HEADERS_TOO_LARGE;
    } else {
      outcome = Outcome.BAD_REQUEST;
    }
    runtime.record(outcome);
    LOG.debug("invalid request from {} on {}: {}", req.remoteAddress(), runtime.name(),
        cause == null ? "?" : cause.getMessage());
    OwnAnswers.send(req, outcome, null, true);
  }
}
