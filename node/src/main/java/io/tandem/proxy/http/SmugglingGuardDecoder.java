package io.tandem.proxy.http;

import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's request decoder, except that a request carrying both {@code Transfer-Encoding: chunked} and
 * {@code Content-Length} is refused instead of silently decoded by Transfer-Encoding alone (RFC 9112 section 6.3: such
 * a message "ought to be handled as an error"). The exception turns into an invalid request, which the listener
 * answers with 400 and a closed connection, so no backend ever receives both headers.
 */
final class SmugglingGuardDecoder extends VertxHttpRequestDecoder {

  SmugglingGuardDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new IllegalArgumentException("both Transfer-Encoding and Content-Length");
  }
}
