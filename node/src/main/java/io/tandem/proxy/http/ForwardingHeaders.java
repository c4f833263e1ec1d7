package io.tandem.proxy.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Header rewriting between client and backend: hop-by-hop removal and the X-Forwarded-* / Forwarded family. */
final class ForwardingHeaders {
  /** RFC 9110 section 7.6.1 connection-specific fields, plus the de-facto Proxy-Connection and Keep-Alive. */
  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
      "proxy-authenticate", "proxy-authorization");

  private ForwardingHeaders() {}

  /**
   * Copies end-to-end headers from {@code in} to {@code out}: drops hop-by-hop headers, headers named in
   * {@code Connection}, and (request side) the ones Tandem sets itself. {@code keepUpgrade} keeps
   * {@code Upgrade}/{@code Connection: upgrade} for a protocol switch.
   */
  static void copyEndToEnd(MultiMap in, MultiMap out, boolean requestSide, boolean keepUpgrade) {
    String connection = in.get(HttpHeaders.CONNECTION);
    for (Map.Entry<String, String> e : in) {
      String name = e.getKey();
      if (isDropped(name, connection, requestSide)) {
        continue;
      }
      out.add(name, e.getValue());
    }
    if (keepUpgrade) {
      String upgrade = in.get(HttpHeaders.UPGRADE);
      if (upgrade != null) {
        out.set(HttpHeaders.UPGRADE, upgrade);
        out.set(HttpHeaders.CONNECTION, "upgrade");
      }
    }
  }

  private static boolean isDropped(String name, String connection, boolean requestSide) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (HOP_BY_HOP.contains(lower)) {
      return true;
    }
    if (requestSide && (lower.equals("x-forwarded-proto") || lower.equals("x-forwarded-host")
        || lower.equals("x-request-id"))) {
      return true;
    }
    return connection != null && listsToken(connection, lower);
  }

  /** Whether a comma-separated header value lists {@code token} (case-insensitive). */
  static boolean listsToken(String value, String token) {
    int n = value.length();
    int i = 0;
    while (i < n) {
      int end = value.indexOf(',', i);
      if (end < 0) {
        end = n;
      }
      int s = i;
      int e = end;
      while (s < e && value.charAt(s) == ' ') {
        s++;
      }
      while (e > s && value.charAt(e - 1) == ' ') {
        e--;
      }
      if (e - s == token.length() && value.regionMatches(true, s, token, 0, token.length())) {
        return true;
      }
      i = end + 1;
    }
    return false;
  }

  /**
   * Adds the forwarding headers: appends the client to {@code X-Forwarded-For} and {@code Forwarded}, sets
   * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} (the client's Host) and the request id.
   */
  static void addForwarding(MultiMap out, String clientIp, String proto, String host, String requestId) {
    String xff = out.get("x-forwarded-for");
    out.set("x-forwarded-for", xff == null ? clientIp : xff + ", " + clientIp);
    out.set("x-forwarded-proto", proto);
    if (host != null) {
      out.set("x-forwarded-host", host);
    }
    StringBuilder fwd = new StringBuilder(64);
    fwd.append("for=").append(forwardedNode(clientIp));
    if (host != null) {
      fwd.append(";host=").append(quoteIfNeeded(host));
    }
    fwd.append(";proto=").append(proto);
    String prior = out.get("forwarded");
    out.set("forwarded", prior == null ? fwd.toString() : prior + ", " + fwd);
    out.set("x-request-id", requestId);
  }

  /** RFC 7239: IPv6 addresses are bracketed and quoted. */
  private static String forwardedNode(String ip) {
    return ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
  }

  private static String quoteIfNeeded(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      }
    }
    return v;
  }
}
