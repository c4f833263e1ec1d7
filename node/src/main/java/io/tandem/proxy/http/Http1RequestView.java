package io.tandem.proxy.http;

import io.tandem.proxy.h1.RequestHead;
import io.tandem.upstream.RequestView;

/** A request head of Tandem's own HTTP/1.1 codec seen as a {@link RequestView}: Strings only for what is read. */
final class Http1RequestView implements RequestView {
  private final RequestHead head;
  private final String sni;
  private String path;

  Http1RequestView(RequestHead head, String sni) {
    this.head = head;
    this.sni = sni;
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
    return sni;
  }
}
