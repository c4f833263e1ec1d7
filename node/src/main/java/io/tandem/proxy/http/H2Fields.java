package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.tandem.proxy.h1.HeaderNames;
import io.tandem.proxy.h1.RequestHead;
import io.tandem.proxy.rules.Plan;
import io.tandem.upstream.PoolSnapshot;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP/2 fields to and from the forms the rest of the path holds: a Vert.x request's edited fields or an HTTP/1.1
 * head out as HTTP/2 headers ({@link H2Leg}, {@link H2Upstream}), a backend's response head and trailers back into a
 * Vert.x response or HTTP/1.1 text. Stateless.
 */
final class H2Fields {
  static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
  static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  private static final AsciiString TE = AsciiString.cached("te");
  private static final AsciiString TRAILERS = AsciiString.cached("trailers");

  private H2Fields() {}

  /** A backend request's fields from an HTTP/2 front: forwarding fields, the route's edits, the pool's Host. */
  static MultiMap forwarded(HttpServerRequest req, ListenerRuntime listener, String peerIp, String requestId,
      Plan plan, PoolSnapshot pool) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    ForwardingHeaders.prepare(req, out, peerIp, requestId, false, listener.tls() != null,
        listener.config().limits().underscoresInHeaders());
    BackendLeg.apply(plan.request(), out);
    String poolHost = pool.config().hostHeader();
    if (poolHost != null && (plan.request() == null || !plan.request().adds("Host"))) {
      out.set(HttpHeaders.HOST, poolHost);
    }
    return out;
  }

  /**
   * A backend request's head from an HTTP/2 front: pseudo-headers, then the end-to-end fields {@code out} in lower
   * case; with a {@code deadline} (nanoTime, 0 for none), what is left of it as {@code grpc-timeout}.
   */
  static Http2Headers request(String method, String scheme, String path, MultiMap out, long deadline) {
    DefaultHttp2Headers h = new DefaultHttp2Headers(false, out.size() + 4);
    h.method(method);
    h.scheme(scheme);
    h.path(path);
    String host = out.get(HttpHeaders.HOST);
    if (host != null) {
      h.authority(host);
    }
    out.forEach((name, value) -> {   // Vert.x's entries as they are (a for-each would wrap each one)
      if (!name.equalsIgnoreCase("host")) {
        h.add(lowerCase(name), value);
      }
    });
    h.set(TE, TRAILERS);   // the client is HTTP/2 and takes trailers: the one TE value HTTP/2 allows, as gRPC asks
    if (deadline != 0) {
      // What is left of the client's deadline, rounded up: the backend's expires no earlier than Tandem's.
      long left = Math.max(1, (deadline - System.nanoTime() + 999_999) / 1_000_000);
      h.set(GRPC_TIMEOUT, left + "m");
    }
    return h;
  }

  /** HTTP/2 field names are lower case; a client's already are, a route's edits may not be. */
  private static CharSequence lowerCase(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return AsciiString.of(name).toLowerCase();
      }
    }
    return name;
  }

  /**
   * A backend request's head from an HTTP/1.1 one: pseudo-headers, the end-to-end fields in lower case (no
   * connection-specific ones), and {@code te: trailers}, since Tandem takes trailers (they go to the client in the
   * last chunk): the one TE value HTTP/2 allows.
   */
  static Http2Headers request(RequestHead h, boolean https) {
    DefaultHttp2Headers out = new DefaultHttp2Headers(false, h.headerCount() + 4);
    out.method(h.method());
    out.scheme(https ? "https" : "http");
    out.path(h.uri());
    String host = h.host();
    if (host != null) {
      out.authority(host);
    }
    for (int i = 0; i < h.headerCount(); i++) {
      if (h.dropped(i) || h.nameIs(i, HeaderNames.HOST) || h.nameIs(i, HeaderNames.CONNECTION)
          || h.nameIs(i, HeaderNames.KEEP_ALIVE) || h.nameIs(i, HeaderNames.PROXY_CONNECTION)
          || h.nameIs(i, HeaderNames.TRANSFER_ENCODING) || h.nameIs(i, HeaderNames.UPGRADE)) {
        continue;
      }
      if (!h.nameIs(i, HeaderNames.TE)) {
        out.add(AsciiString.of(h.name(i)).toLowerCase(), h.value(i));
      }
    }
    out.set(TE, TRAILERS);
    return out;
  }

  /** The {@code :status} of a response head, or -1 when it is not three digits of 100 or above. */
  static int statusOf(Http2Headers h) {
    CharSequence s = h.status();
    if (s == null || s.length() != 3) {
      return -1;
    }
    int code = 0;
    for (int i = 0; i < 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      code = code * 10 + (c - '0');
    }
    return code >= 100 ? code : -1;
  }

  /**
   * A response head's fields into the client's HTTP/2 response: HTTP/2 has no Connection header to name others, so
   * the pseudo-headers and the fixed hop-by-hop names are all there is to drop.
   */
  static void copyResponse(Http2Headers h, MultiMap out) {
    for (Map.Entry<CharSequence, CharSequence> e : h) {
      CharSequence name = e.getKey();
      if (name.length() > 0 && name.charAt(0) != ':' && !ForwardingHeaders.hopByHop(name)) {
        out.add(name, e.getValue());
      }
    }
  }

  /** Trailers into the client's response, pseudo-headers dropped. */
  static void copyTrailers(Http2Headers trailers, MultiMap out) {
    for (Map.Entry<CharSequence, CharSequence> e : trailers) {
      if (e.getKey().length() > 0 && e.getKey().charAt(0) != ':') {
        out.add(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * A response head's fields as HTTP/1.1 lines on {@code sb}, without pseudo-headers, Connection and
   * Transfer-Encoding; whether it has a Content-Length.
   */
  static boolean appendHttp1(StringBuilder sb, Http2Headers h) {
    boolean length = false;
    for (Map.Entry<CharSequence, CharSequence> e : h) {
      CharSequence name = e.getKey();
      if (name.length() == 0 || name.charAt(0) == ':' || AsciiString.contentEqualsIgnoreCase(name, "connection")
          || AsciiString.contentEqualsIgnoreCase(name, "transfer-encoding")) {
        continue;
      }
      length |= AsciiString.contentEqualsIgnoreCase(name, "content-length");
      sb.append(name).append(": ").append(e.getValue()).append("\r\n");
    }
    return length;
  }

  /** The last chunk of an HTTP/1.1 chunked body, with {@code trailers} (pseudo-headers dropped). */
  static ByteBuf lastChunk(Http2Headers trailers) {
    StringBuilder sb = new StringBuilder(64).append("0\r\n");
    for (Map.Entry<CharSequence, CharSequence> e : trailers) {
      if (e.getKey().length() > 0 && e.getKey().charAt(0) != ':') {
        sb.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
      }
    }
    sb.append("\r\n");
    return Unpooled.copiedBuffer(sb, StandardCharsets.ISO_8859_1);
  }
}
