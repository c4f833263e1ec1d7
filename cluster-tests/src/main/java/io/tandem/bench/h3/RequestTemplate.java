package io.tandem.bench.h3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.util.AsciiString;
import java.util.Arrays;

/** The one request a run sends again and again: GET, or POST with a body of a given size. */
final class RequestTemplate {
  private static final AsciiString GET = AsciiString.cached("GET");
  private static final AsciiString POST = AsciiString.cached("POST");
  private static final AsciiString HTTPS = AsciiString.cached("https");
  private static final AsciiString USER_AGENT = AsciiString.cached("user-agent");
  private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
  private static final AsciiString AGENT = AsciiString.cached("tandem-h3load");

  private final AsciiString authority;
  private final AsciiString path;
  private final int bodySize;
  private final AsciiString contentLength;
  private final byte[] body;

  RequestTemplate(LoadOptions options) {
    this.authority = new AsciiString(options.authority());
    this.path = new AsciiString(options.pathAndQuery());
    this.bodySize = options.bodySize();
    this.contentLength = new AsciiString(Integer.toString(Math.max(0, bodySize)));
    this.body = new byte[Math.max(0, bodySize)];
    Arrays.fill(body, (byte) 'x');
  }

  void fill(Http3Headers headers) {
    headers.method(bodySize < 0 ? GET : POST).scheme(HTTPS).authority(authority).path(path);
    headers.add(USER_AGENT, AGENT);
    if (bodySize >= 0) {
      headers.add(CONTENT_LENGTH, contentLength);
    }
  }

  /** The body of one request (a new view of the same bytes), or {@code null} for a GET or an empty POST. */
  ByteBuf body() {
    return body.length == 0 ? null : Unpooled.wrappedBuffer(body);
  }
}
