package io.tandem.proxy.http;

import io.tandem.proxy.h1.RequestHead;
import io.tandem.proxy.rules.RuleRequest;
import io.tandem.tls.TlsFacts;

/**
 * A request head of Tandem's own HTTP/1.1 codec seen by routing and a route's actions: Strings only for what is
 * read.
 */
final class Http1RequestView implements RuleRequest {
  private final RequestHead head;
  private final TlsFacts tls;
  private final String clientIp;
  private final int clientPort;
  private final String requestId;
  private String path;

  Http1RequestView(RequestHead head, TlsFacts tls, String clientIp, int clientPort, String requestId) {
    this.head = head;
    this.tls = tls;
    this.clientIp = clientIp;
    this.clientPort = clientPort;
    this.requestId = requestId;
  }

  @Override
  public String method() {
    return head.method();
  }

  @Override
  public String path() {
    if (path == null) {
      path = head.path();
    }
    return path;
  }

  @Override
  public String host() {
    return head.host();
  }

  @Override
  public String header(CharSequence name) {
    return head.get(name);
  }

  @Override
  public String sni() {
    return tls == null ? null : tls.sni();
  }

  @Override
  public String uri() {
    return head.uri();
  }

  @Override
  public String clientAddress() {
    return clientIp;
  }

  @Override
  public int clientPort() {
    return clientPort;
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public String scheme() {
    return tls == null ? "http" : "https";
  }

  @Override
  public String clientCertSubject() {
    return tls == null ? null : tls.clientSubject();
  }
}
