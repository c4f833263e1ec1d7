package io.tandem.proxy.http;

/** Opens package-private request helpers to the property-based tests in {@code io.tandem.fuzz}. */
public final class FuzzAccess {
  private FuzzAccess() {}

  public static boolean headerCountOver(io.vertx.core.MultiMap headers, int max) {
    return RequestKeys.headerCountOver(headers, max);
  }
}
