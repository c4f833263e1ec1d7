package io.tandem.proxy.http;

import io.tandem.proxy.rules.RuleRequest;
import io.tandem.tls.TlsFacts;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/** A Vert.x request (the HTTP/2 front) seen by routing and a route's actions. */
final class VertxRequestView implements RuleRequest {
  private final HttpServerRequest req;
  private final String clientIp;
  private final String requestId;

  VertxRequestView(HttpServerRequest req, String clientIp, String requestId) {
    this.req = req;
    this.clientIp = clientIp;
    this.requestId = requestId;
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
    TlsFacts tls = tls();
    return tls == null ? null : tls.sni();
  }

  @Override
  public String uri() {
    return req.uri();
  }

  @Override
  public String clientAddress() {
    return clientIp;
  }

  @Override
  public int clientPort() {
    SocketAddress remote = req.remoteAddress();
    // A client a trusted proxy's header named has no port here.
    return remote == null || remote.port() < 0 || !clientIp.equals(remote.hostAddress()) ? 0 : remote.port();
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public String scheme() {
    return req.isSSL() ? "https" : "http";
  }

  @Override
  public String clientCertSubject() {
    TlsFacts tls = tls();
    return tls == null ? null : tls.clientSubject();
  }

  private TlsFacts tls() {
    return req.isSSL() ? TlsFacts.of(req.connection()) : null;
  }
}
