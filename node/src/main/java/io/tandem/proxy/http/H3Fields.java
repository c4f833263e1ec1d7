package io.tandem.proxy.http;

import io.netty.handler.codec.http3.Http3Headers;
import io.tandem.proxy.h1.Ascii;
import java.util.Map;
import java.util.Set;

/**
 * What HTTP/3 forbids in a request (RFC 9114 4.2 and 4.3), checked by {@link H3Stream} before the request becomes
 * HTTP/1.1 text: the pseudo-header fields, field names in lower case and of token characters, no CR, LF or NUL in
 * values, no connection-specific fields. A request that passes cannot be read two ways by the HTTP/1.1 parser.
 */
final class H3Fields {
  /** Fields HTTP/3 forbids (the connection's, not the message's), dropped from answers too. */
  static final Set<String> CONNECTION_FIELDS =
      Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");

  private H3Fields() {}

  /** What makes the request head malformed in HTTP/3 (or unusable here), or null. */
  static String problem(Http3Headers h) {
    CharSequence method = h.method();
    if (method == null || method.length() == 0 || !token(method)) {
      return "missing or invalid :method";
    }
    boolean connect = contentEquals(method, "CONNECT");
    if (h.get(":protocol") != null) {
      return "extended CONNECT is not supported";
    }
    CharSequence path = h.path();
    if (connect ? h.authority() == null || path != null
        : path == null || path.length() == 0 || !(path.charAt(0) == '/' || contentEquals(path, "*"))) {
      return connect ? "CONNECT needs :authority and no :path" : "missing or invalid :path";
    }
    if (h.authority() == null && h.get("host") == null) {
      return "no :authority and no host";
    }
    for (CharSequence v : new CharSequence[] {path, h.authority(), h.get("host")}) {
      if (v != null && !fieldValue(v, true)) {
        return "invalid characters in :path, :authority or host";
      }
    }
    return fieldProblem(h, false);
  }

  /** What makes a field section malformed: names, values, connection-specific fields; null when fine. */
  static String fieldProblem(Http3Headers h, boolean trailers) {
    for (Map.Entry<CharSequence, CharSequence> e : h) {
      CharSequence name = e.getKey();
      if (name.length() > 0 && name.charAt(0) == ':') {
        if (trailers) {
          return "pseudo-header field in trailers";
        }
        continue;
      }
      if (name.length() == 0 || !lowerToken(name)) {
        return "invalid field name";
      }
      if (!fieldValue(e.getValue(), false)) {
        return "CR, LF or NUL in the value of " + name;
      }
      String n = name.toString();
      if (CONNECTION_FIELDS.contains(n)) {
        return "connection-specific field " + n;
      }
      if (n.equals("te") && !contentEquals(e.getValue(), "trailers")) {
        return "te other than trailers";
      }
    }
    return null;
  }

  private static boolean token(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      if (!Ascii.tokenChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean lowerToken(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c >= 'A' && c <= 'Z') || !Ascii.tokenChar(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean fieldValue(CharSequence s, boolean noSpace) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n' || c == 0 || c > 0xFF || (noSpace && (c == ' ' || c == '\t'))) {
        return false;
      }
    }
    return true;
  }

  static long parseLength(CharSequence cl) {
    if (cl.length() == 0 || cl.length() > 18) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < cl.length(); i++) {
      char c = cl.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  static boolean contentEquals(CharSequence a, String b) {
    return a != null && a.length() == b.length() && a.toString().equalsIgnoreCase(b);
  }
}
