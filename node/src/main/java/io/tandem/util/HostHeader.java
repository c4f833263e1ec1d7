package io.tandem.util;

/**
 * A {@code Host} value ({@code example.com}, {@code example.com:8080}, {@code [::1]:8080}) split into its host and
 * port, without a String beyond the host's. Never throws for bad input.
 */
public final class HostHeader {
  private HostHeader() {}

  /** The host without its port; an IPv6 literal keeps its brackets ({@code [::1]}). */
  public static String withoutPort(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close < 0 ? host : host.substring(0, close + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  /** The port, or -1 when there is none (or it is not 1 to 5 digits). */
  public static int port(String host) {
    int colon = host.lastIndexOf(':');
    if (colon < 0 || (host.startsWith("[") && host.lastIndexOf(']') > colon)) {
      return -1;
    }
    int digits = host.length() - colon - 1;
    if (digits < 1 || digits > 5) {
      return -1;
    }
    int port = 0;
    for (int i = colon + 1; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      port = port * 10 + (c - '0');
    }
    return port;
  }
}
