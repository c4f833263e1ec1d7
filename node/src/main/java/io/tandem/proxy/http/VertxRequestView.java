package io.tandem.proxy.http;

import io.tandem.tls.TlsFacts;
import io.tandem.upstream.RequestView;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/** A Vert.x request (the HTTP/2 front, and HTTP/1.1 until Tandem's own codec carries it) seen as a {@link RequestView}. */
final class VertxRequestView implements RequestView {
  private final HttpServerRequest req;

  VertxRequestView(HttpServerRequest req) {
    this.req = req;
  }

  @Override
  public String method() {
    return req.method().name();
  }

  @Override
  public String path() {
    String path = req.path();
    return path == null ? "" : path;
  }

  @Override
  public String host() {
    String host = req.headers().get(HttpHeaders.HOST);
    if (host == null && req.authority() != null) {
      host = req.authority().toString();   // HTTP/2 :authority
    }
    return host;
  }

  @Override
  public String header(CharSequence name) {
    return req.headers().get(name);
  }

  @Override
  public String sni() {
    TlsFacts tls = req.isSSL() ? TlsFacts.of(req.connection()) : null;
    return tls == null ? null : tls.sni();
  }
}
