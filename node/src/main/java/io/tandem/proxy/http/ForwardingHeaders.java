package io.tandem.proxy.http;

import io.tandem.proxy.ForwardedElement;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Header rewriting between client and backend: hop-by-hop removal and the X-Forwarded-* / Forwarded family. Works on
 * Vert.x's own header maps, whose {@code setAll} copies entries without re-validating them; header names are
 * pre-hashed {@link HttpHeaders#createOptimized} constants.
 */
final class ForwardingHeaders {
  static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("x-forwarded-for");
  static final CharSequence X_FORWARDED_PROTO = HttpHeaders.createOptimized("x-forwarded-proto");
  static final CharSequence X_FORWARDED_HOST = HttpHeaders.createOptimized("x-forwarded-host");
  static final CharSequence FORWARDED = HttpHeaders.createOptimized("forwarded");
  static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("x-request-id");

  /** RFC 9110 section 7.6.1 connection-specific fields, plus the de-facto Proxy-Connection and Keep-Alive. */
  private static final CharSequence[] HOP_BY_HOP = {
      HttpHeaders.CONNECTION, HttpHeaders.KEEP_ALIVE, HttpHeaders.createOptimized("proxy-connection"), HttpHeaders.createOptimized("te"),
      HttpHeaders.createOptimized("trailer"), HttpHeaders.TRANSFER_ENCODING, HttpHeaders.UPGRADE,
      HttpHeaders.PROXY_AUTHENTICATE, HttpHeaders.PROXY_AUTHORIZATION};

  private ForwardingHeaders() {}

  /**
   * Copies end-to-end headers from {@code in} to the empty {@code out}: everything but hop-by-hop headers and the
   * headers named in {@code Connection}. {@code keepUpgrade} keeps {@code Upgrade}/{@code Connection: upgrade} for a
   * protocol switch.
   */
  static void copyEndToEnd(MultiMap in, MultiMap out, boolean keepUpgrade) {
    out.setAll(in);
    String connection = in.get(HttpHeaders.CONNECTION);
    if (connection != null) {
      removeListed(out, connection);
    }
    for (CharSequence hop : HOP_BY_HOP) {
      out.remove(hop);
    }
    if (keepUpgrade) {
      String upgrade = in.get(HttpHeaders.UPGRADE);
      if (upgrade != null) {
        out.set(HttpHeaders.UPGRADE, upgrade);
        out.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
      }
    }
  }

  private static void removeListed(MultiMap out, String connection) {
    int n = connection.length();
    int i = 0;
    while (i < n) {
      int end = connection.indexOf(',', i);
      if (end < 0) {
        end = n;
      }
      String token = connection.substring(i, end).trim();
      if (!token.isEmpty()) {
        out.remove(token);
      }
      i = end + 1;
    }
  }

  /**
   * Removes from {@code out} every header whose name has an underscore ({@code limits.underscores-in-headers} off):
   * a backend that maps {@code _} to {@code -} (CGI-style) could otherwise read {@code Transfer_Encoding} or
   * {@code Content_Length} as framing, or {@code X_Forwarded_For} as Tandem's own header.
   */
  static void dropUnderscoreNames(MultiMap in, MultiMap out) {
    in.forEach((name, value) -> {
      if (name.indexOf('_') >= 0) {
        out.remove(name);
      }
    });
  }

  /** Whether {@code name} is one of the fixed hop-by-hop headers (any case). */
  static boolean hopByHop(CharSequence name) {
    for (CharSequence hop : HOP_BY_HOP) {
      if (io.netty.util.AsciiString.contentEqualsIgnoreCase(hop, name)) {
        return true;
      }
    }
    return false;
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
   * Prepares the backend request's head from the client's: end-to-end headers, the forwarding headers, and the
   * client's {@code Host} kept. Vert.x writes a {@code Host} header already present as it is (the authority, the
   * backend's address, only fills in a missing one), so the client's is copied, never parsed.
   *
   * @param https whether the client's connection is TLS (the listener's, known without asking the connection)
   */
  static void prepare(HttpServerRequest req, HttpClientRequest up, String clientIp, String requestId,
      boolean upgrade, boolean https, boolean underscores) {
    prepare(req, up.headers(), clientIp, requestId, upgrade, https, underscores);
  }

  /** The same into a header map of the caller's (an HTTP/2 backend's stream). */
  static void prepare(HttpServerRequest req, MultiMap out, String clientIp, String requestId,
      boolean upgrade, boolean https, boolean underscores) {
    copyEndToEnd(req.headers(), out, upgrade);
    if (!underscores) {
      dropUnderscoreNames(req.headers(), out);
    }
    String host = req.headers().get(HttpHeaders.HOST);
    if (host == null && req.version() == HttpVersion.HTTP_2 && req.authority() != null) {
      // HTTP/2 carries the host in :authority, which the backend's HTTP/1.1 request carries as Host.
      host = req.authority().toString();
      out.set(HttpHeaders.HOST, host);
    }
    addForwarding(out, clientIp, https ? "https" : "http", host, requestId);
  }

  /**
   * Adds the forwarding headers to a copied request: appends the client to {@code X-Forwarded-For} and
   * {@code Forwarded}, sets {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} (the client's Host) and the request id.
   */
  static void addForwarding(MultiMap out, String clientIp, String proto, String host, String requestId) {
    String xff = out.get(X_FORWARDED_FOR);
    out.set(X_FORWARDED_FOR, xff == null ? clientIp : xff + ", " + clientIp);
    out.set(X_FORWARDED_PROTO, proto);
    if (host != null) {
      out.set(X_FORWARDED_HOST, host);
    } else {
      out.remove(X_FORWARDED_HOST);
    }
    String prior = out.get(FORWARDED);
    String element = ForwardedElement.of(clientIp, proto, host);
    out.set(FORWARDED, prior == null ? element : prior + ", " + element);
    out.set(X_REQUEST_ID, requestId);
  }
}
