package io.tandem.proxy.h1;

/** Byte-level character classes of RFC 9110/9112 and small helpers over them. */
public final class Ascii {
  private static final boolean[] TCHAR = new boolean[256];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 32] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private Ascii() {}

  static boolean tchar(byte b) {
    return TCHAR[b & 0xff];
  }

  /** Whether {@code c} may stand in a field name (an RFC 9110 token character); for decoded HTTP/2 names. */
  public static boolean tokenChar(char c) {
    return c < 256 && TCHAR[c];
  }

  /** Field-value characters: VCHAR, obs-text, SP, HTAB. */
  static boolean fieldChar(byte b) {
    int c = b & 0xff;
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  }

  static boolean ows(byte b) {
    return b == ' ' || b == '\t';
  }

  static byte lower(byte c) {
    return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
  }

  /** Whether bytes [from, to) equal {@code lower} ignoring case. */
  static boolean equalsIgnoreCase(byte[] buf, int from, int to, String lower) {
    if (to - from != lower.length()) {
      return false;
    }
    for (int k = 0; k < lower.length(); k++) {
      if (lower(buf[from + k]) != lower.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the comma-separated list in [from, to) has the element {@code lower} (OWS around elements ignored). */
  static boolean listsToken(byte[] buf, int from, int to, String lower) {
    for (int p = from; p <= to; p = elementEnd(buf, p, to) + 1) {
      int e = elementEnd(buf, p, to);
      int s = trimStart(buf, p, e);
      if (equalsIgnoreCase(buf, s, trimEnd(buf, s, e), lower)) {
        return true;
      }
    }
    return false;
  }

  /** Whether bytes [a, a + length) and [b, b + length) are equal ignoring ASCII case. */
  static boolean regionEqualsIgnoreCase(byte[] buf, int a, int b, int length) {
    for (int k = 0; k < length; k++) {
      if (lower(buf[a + k]) != lower(buf[b + k])) {
        return false;
      }
    }
    return true;
  }

  /** The end of the comma-separated list element that starts at {@code p}: the next comma before {@code to}, or to. */
  static int elementEnd(byte[] buf, int p, int to) {
    int comma = p;
    while (comma < to && buf[comma] != ',') {
      comma++;
    }
    return comma;
  }

  /** The first offset in [s, e) that is not optional white space, or e. */
  static int trimStart(byte[] buf, int s, int e) {
    while (s < e && ows(buf[s])) {
      s++;
    }
    return s;
  }

  /** The end of [s, e) without trailing optional white space. */
  static int trimEnd(byte[] buf, int s, int e) {
    while (e > s && ows(buf[e - 1])) {
      e--;
    }
    return e;
  }
}
