package io.tandem.proxy.http;

import io.tandem.proxy.Outcome;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * The answer of a plain listener with {@code redirect-to-https}: 308 to {@code https://host[:port]/path?query}, the
 * host as the client named it and the port left out when it is 443. 308 keeps the method and body on the retry.
 */
final class HttpsRedirect {
  static final CharSequence STRICT_TRANSPORT_SECURITY = HttpHeaders.createOptimized("strict-transport-security");

  private HttpsRedirect() {}

  static void send(ListenerRuntime runtime, HttpServerRequest req, int httpsPort) {
    HostAndPort authority = req.authority();
    String host = authority == null ? runtime.config().host() : authority.host();
    String location = "https://" + (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host)
        + (httpsPort == 443 ? "" : ":" + httpsPort) + req.uri();
    runtime.record(Outcome.REDIRECTED);
    req.response().setStatusCode(308)
        .putHeader(HttpHeaders.LOCATION, location)
        .putHeader(HttpHeaders.CONTENT_LENGTH, "0");
    String length = req.headers().get(HttpHeaders.CONTENT_LENGTH);
    boolean body = req.headers().contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.equals("0");
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
}
