package io.tandem.proxy.h1;

/** The header names the HTTP/1.1 codec looks at itself. */
public final class HeaderNames {
  public static final AsciiName HOST = AsciiName.of("host");
  public static final AsciiName CONTENT_LENGTH = AsciiName.of("content-length");
  public static final AsciiName TRANSFER_ENCODING = AsciiName.of("transfer-encoding");
  public static final AsciiName CONNECTION = AsciiName.of("connection");
  public static final AsciiName KEEP_ALIVE = AsciiName.of("keep-alive");
  public static final AsciiName PROXY_CONNECTION = AsciiName.of("proxy-connection");
  public static final AsciiName TE = AsciiName.of("te");
  public static final AsciiName TRAILER = AsciiName.of("trailer");
  public static final AsciiName UPGRADE = AsciiName.of("upgrade");
  public static final AsciiName PROXY_AUTHORIZATION = AsciiName.of("proxy-authorization");
  public static final AsciiName PROXY_AUTHENTICATE = AsciiName.of("proxy-authenticate");
  public static final AsciiName EXPECT = AsciiName.of("expect");
  public static final AsciiName COOKIE = AsciiName.of("cookie");
  public static final AsciiName SET_COOKIE = AsciiName.of("set-cookie");
  public static final AsciiName X_FORWARDED_FOR = AsciiName.of("x-forwarded-for");
  public static final AsciiName X_FORWARDED_PROTO = AsciiName.of("x-forwarded-proto");
  public static final AsciiName X_FORWARDED_HOST = AsciiName.of("x-forwarded-host");
  public static final AsciiName FORWARDED = AsciiName.of("forwarded");
  public static final AsciiName X_REQUEST_ID = AsciiName.of("x-request-id");
  public static final AsciiName STRICT_TRANSPORT_SECURITY = AsciiName.of("strict-transport-security");
  public static final AsciiName ALT_SVC = AsciiName.of("alt-svc");

  private HeaderNames() {}
}
