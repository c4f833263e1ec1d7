package io.tandem.proxy;

/**
 * One element of the {@code Forwarded} header (RFC 7239) for a client: {@code for=1.2.3.4;host=a.example;proto=https},
 * with an IPv6 address bracketed and quoted and a host that is not a plain token quoted. Shared by every codec.
 */
public final class ForwardedElement {
  private ForwardedElement() {}

  public static String of(String clientIp, String proto, String host) {
    StringBuilder fwd = new StringBuilder(32 + (host == null ? 0 : host.length()));
    // RFC 7239: IPv6 addresses are bracketed and quoted.
    if (clientIp.indexOf(':') >= 0) {
      fwd.append("for=\"[").append(clientIp).append("]\"");
    } else {
      fwd.append("for=").append(clientIp);
    }
    if (host != null) {
      fwd.append(";host=");
      appendToken(fwd, host);
    }
    return fwd.append(";proto=").append(proto).toString();
  }

  private static void appendToken(StringBuilder sb, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
          || c == '_')) {
        sb.append('"');
        if (v.indexOf('"') < 0 && v.indexOf('\\') < 0) {
          sb.append(v);   // the usual case (host:port): nothing to escape
        } else {
          sb.append(v.replace("\\", "\\\\").replace("\"", "\\\""));
        }
        sb.append('"');
        return;
      }
    }
    sb.append(v);
  }
}
