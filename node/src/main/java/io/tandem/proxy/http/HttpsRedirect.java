package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import io.tandem.util.Outcome;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * The answer of a plain listener with {@code redirect-to-https}: 308 to {@code https://host[:port]/path?query}, the
 * host as the client named it and the port left out when it is 443. 308 keeps the method and body on the retry.
 */
final class HttpsRedirect {
  static final CharSequence STRICT_TRANSPORT_SECURITY = HttpHeaders.createOptimized("strict-transport-security");
  /** Where HTTP/3 is offered (RFC 7838), on the TCP listener's answers. */
  static final String ALT_SVC = "alt-svc";

  private HttpsRedirect() {}

  /** The 308's target: {@code https://}, the host as named (without a port), the HTTPS port unless 443, the URI. */
  static String location(String host, int httpsPort, String uri) {
    return "https://" + (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host)
        + (httpsPort == 443 ? "" : ":" + httpsPort) + uri;
  }

  /** The 308 answer as bytes, for Tandem's own HTTP/1.1 path. */
  static ByteBuf bytes(ByteBufAllocator alloc, String location, boolean close) {
    String text = "HTTP/1.1 308 Permanent Redirect\r\nlocation: " + location + "\r\ncontent-length: 0\r\n"
        + (close ? "connection: close\r\n" : "") + "\r\n";
    ByteBuf out = alloc.directBuffer(text.length());
    out.writeCharSequence(text, StandardCharsets.ISO_8859_1);
    return out;
  }

  static void send(ListenerRuntime runtime, HttpServerRequest req, int httpsPort) {
    HostAndPort authority = req.authority();
    String location = location(authority == null ? runtime.config().host() : authority.host(), httpsPort, req.uri());
    runtime.record(Outcome.REDIRECTED);
    req.response().setStatusCode(308)
        .putHeader(HttpHeaders.LOCATION, location)
        .putHeader(HttpHeaders.CONTENT_LENGTH, "0");
    String length = req.headers().get(HttpHeaders.CONTENT_LENGTH);
    boolean body = req.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (length != null && !length.equals("0"));
    if (body) {
      // A body we will not read leaves the connection unusable.
      req.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    req.response().end().onComplete(ar -> {
      if (body) {
        req.connection().close();
      }
    });
    if (runtime.accessLog()) {
      AccessLog.log(runtime.name(), req.remoteAddress() == null ? "-" : req.remoteAddress().hostAddress(),
          req.method().name(), req.uri(), 308, Outcome.REDIRECTED, null, null, 0, null, 0, null);
    }
  }

  /**
   * The fields the listener adds to every forwarded answer on the HTTP/2 front: its Strict-Transport-Security
   * (replacing the backend's), and the Alt-Svc advertising its HTTP/3 port (unless the backend sent one).
   */
  static void listenerFields(ListenerRuntime listener, io.vertx.core.MultiMap out) {
    String hsts = listener.hsts();
    if (hsts != null) {
      out.set(STRICT_TRANSPORT_SECURITY, hsts);
    }
    String altSvc = listener.altSvc();
    if (altSvc != null && !out.contains(ALT_SVC)) {
      out.set(ALT_SVC, altSvc);
    }
  }
}
