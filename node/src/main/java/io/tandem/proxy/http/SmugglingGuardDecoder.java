package io.tandem.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's request decoder with the framing rules of RFC 9112 enforced before any body byte is read. A request whose
 * length cannot be known without ambiguity becomes an invalid request, which the listener answers with 400 and a
 * closed connection, so no later byte on that connection is ever parsed as a request and no backend ever receives
 * both {@code Content-Length} and {@code Transfer-Encoding}:
 * <ul>
 *   <li>both {@code Transfer-Encoding} and {@code Content-Length} (section 6.3: "ought to be handled as an error");
 *   <li>any {@code Transfer-Encoding} other than one {@code chunked} (obfuscations such as {@code xchunked},
 *       {@code chunked, identity}, a repeated header), or any on HTTP/1.0;
 *   <li>an HTTP/1.1 request without exactly one {@code Host} (section 3.2).
 * </ul>
 * Conflicting or malformed {@code Content-Length} values are refused by Netty itself.
 */
final class SmugglingGuardDecoder extends VertxHttpRequestDecoder {
  private final ConnectionGuard guard;

  SmugglingGuardDecoder(HttpServerOptions options, ConnectionGuard guard) {
    super(options);
    this.guard = guard;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    guard.bytesArrived();
    super.channelRead(ctx, msg);
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage msg) {
    // Netty calls this once the head is complete and before it decides how to read the body.
    HttpHeaders headers = msg.headers();
    List<String> te = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!te.isEmpty()) {
      if (te.size() != 1 || !te.get(0).trim().equalsIgnoreCase("chunked")) {
        throw new IllegalArgumentException("unsupported Transfer-Encoding " + te);
      }
      if (msg.protocolVersion() != HttpVersion.HTTP_1_1) {
        throw new IllegalArgumentException("Transfer-Encoding on " + msg.protocolVersion());
      }
    }
    if (msg.protocolVersion() == HttpVersion.HTTP_1_1 && headers.getAll(HttpHeaderNames.HOST).size() != 1) {
      throw new IllegalArgumentException("HTTP/1.1 request without exactly one Host header");
    }
    return super.isContentAlwaysEmpty(msg);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new IllegalArgumentException("both Transfer-Encoding and Content-Length");
  }
}
