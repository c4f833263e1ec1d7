package io.tandem.proxy.h1;

import java.nio.charset.StandardCharsets;

/** A parsed request head (see {@link Head}); made by {@link RequestHeadParser}. */
public final class RequestHead extends Head {
  final String method;
  final int uriStart;
  final int uriLength;
  final boolean[] dropped;
  boolean expectContinue;
  boolean hasUpgrade;
  int hostIndex = -1;
  private String uri;

  RequestHead(byte[] bytes, int[] fields, int headerCount, int headerBlockStart, String method, int uriStart,
      int uriLength, boolean[] dropped) {
    super(bytes, fields, headerCount, headerBlockStart);
    this.method = method;
    this.uriStart = uriStart;
    this.uriLength = uriLength;
    this.dropped = dropped;
  }

  /** The method as sent ({@code GET}, ...); common methods are shared constants. */
  public String method() {
    return method;
  }

  public boolean isHead() {
    return "HEAD".equals(method);
  }

  public int uriStart() {
    return uriStart;
  }

  public int uriLength() {
    return uriLength;
  }

  /** The request target as sent. */
  public String uri() {
    if (uri == null) {
      uri = new String(bytes, uriStart, uriLength, StandardCharsets.ISO_8859_1);
    }
    return uri;
  }

  /** The path without the query; for an absolute-form target, the path after the authority ({@code /} if none). */
  public String path() {
    String u = uri();
    int start = 0;
    if (!u.isEmpty() && u.charAt(0) != '/' && u.indexOf("://") > 0) {
      int slash = u.indexOf('/', u.indexOf("://") + 3);
      if (slash < 0) {
        return "/";
      }
      start = slash;
    }
    int q = u.indexOf('?', start);
    return q < 0 ? u.substring(start) : u.substring(start, q);
  }

  /** The query after {@code ?}, or null. */
  public String query() {
    String u = uri();
    int q = u.indexOf('?');
    return q < 0 ? null : u.substring(q + 1);
  }

  /** Whether the client asked for {@code 100 Continue} before sending its body. */
  public boolean expectContinue() {
    return expectContinue;
  }

  /** Whether the request asks to switch protocols ({@code Upgrade} and {@code Connection: upgrade}). */
  public boolean upgrade() {
    return hasUpgrade && connectionUpgrade;
  }

  /** The {@code Host} value, or null. */
  public String host() {
    return hostIndex < 0 ? null : value(hostIndex);
  }

  /**
   * Whether header {@code i} must not be forwarded and took no part in framing: its name has an underscore and the
   * listener does not allow those ({@code limits.underscores-in-headers}).
   */
  public boolean dropped(int i) {
    return dropped[i];
  }
}
