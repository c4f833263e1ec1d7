package io.tandem.proxy.h1;

import io.netty.buffer.ByteBuf;

/** Byte-level character classes of RFC 9110/9112 and small helpers over them. */
final class Ascii {
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

  /** Field-value characters: VCHAR, obs-text, SP, HTAB. */
  static boolean fieldChar(byte b) {
    int c = b & 0xff;
    return c == '\t' || c >= 0x20 && c != 0x7f;
  }

  static boolean ows(byte b) {
    return b == ' ' || b == '\t';
  }

  static byte lower(byte c) {
    return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
  }

  /** Whether bytes [from, to) equal {@code lower} ignoring case. */
  static boolean equalsIgnoreCase(ByteBuf buf, int from, int to, String lower) {
    if (to - from != lower.length()) {
      return false;
    }
    for (int k = 0; k < lower.length(); k++) {
      if (lower(buf.getByte(from + k)) != lower.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the comma-separated list in [from, to) has the element {@code lower} (OWS around elements ignored). */
  static boolean listsToken(ByteBuf buf, int from, int to, String lower) {
    int p = from;
    while (p <= to) {
      int comma = p;
      while (comma < to && buf.getByte(comma) != ',') {
        comma++;
      }
      int s = p;
      int e = comma;
      while (s < e && ows(buf.getByte(s))) {
        s++;
      }
      while (e > s && ows(buf.getByte(e - 1))) {
        e--;
      }
      if (equalsIgnoreCase(buf, s, e, lower)) {
        return true;
      }
      p = comma + 1;
    }
    return false;
  }
}
