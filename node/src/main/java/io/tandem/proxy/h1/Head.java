package io.tandem.proxy.h1;

import java.nio.charset.StandardCharsets;

/**
 * A parsed HTTP/1.x head: its exact bytes (start line through the empty line, taken out of the connection's input in
 * one copy) and, per header field, offsets into them. Nothing is decoded until asked for, so a codec forwards the
 * bytes it received and makes a String only for what a rule reads. An array rather than a slice of the input: the
 * parsers and the head writer read every byte several times, which on a pooled slice costs an access check and an
 * index translation per byte (7% of the CPU of a connection-per-request load went there), and the input's buffer is
 * free as soon as the head is parsed.
 */
public abstract class Head {
  /** Per header: line start, name start, name length, value start, value length, line end. */
  private static final int STRIDE = 6;

  final byte[] bytes;
  final int[] fields;
  final int headerCount;
  final int headerBlockStart;
  int versionMinor;
  long contentLength = -1;
  boolean lengthRepeated;
  boolean chunked;
  boolean connectionClose;
  boolean connectionKeepAlive;
  boolean connectionUpgrade;

  Head(byte[] bytes, int[] fields, int headerCount, int headerBlockStart) {
    this.bytes = bytes;
    this.fields = fields;
    this.headerCount = headerCount;
    this.headerBlockStart = headerBlockStart;
  }

  static int[] table(int headers) {
    return new int[Math.max(1, headers) * STRIDE];
  }

  static void set(int[] table, int i, int lineStart, int nameStart, int nameLength, int valueStart, int valueLength,
      int lineEnd) {
    int o = i * STRIDE;
    table[o] = lineStart;
    table[o + 1] = nameStart;
    table[o + 2] = nameLength;
    table[o + 3] = valueStart;
    table[o + 4] = valueLength;
    table[o + 5] = lineEnd;
  }

  public final int length() {
    return bytes.length;
  }

  public final int headerCount() {
    return headerCount;
  }

  /** Offset of the first header line (just after the start line's CRLF). */
  public final int headerBlockStart() {
    return headerBlockStart;
  }

  public final int lineStart(int i) {
    return fields[i * STRIDE];
  }

  public final int nameStart(int i) {
    return fields[i * STRIDE + 1];
  }

  public final int nameLength(int i) {
    return fields[i * STRIDE + 2];
  }

  public final int valueStart(int i) {
    return fields[i * STRIDE + 3];
  }

  /** The value's length without leading and trailing white space. */
  public final int valueLength(int i) {
    return fields[i * STRIDE + 4];
  }

  /** Offset just after header {@code i}'s CRLF. */
  public final int lineEnd(int i) {
    return fields[i * STRIDE + 5];
  }

  /** Whether header {@code i} is named {@code n} (case-insensitive, on bytes). */
  public final boolean nameIs(int i, AsciiName n) {
    int len = nameLength(i);
    if (len != n.length()) {
      return false;
    }
    int start = nameStart(i);
    for (int k = 0; k < len; k++) {
      if (Ascii.lower(bytes[start + k]) != n.byteAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** The first header named {@code n}, or -1. */
  public final int indexOf(AsciiName n) {
    return indexOf(n, 0);
  }

  /** The first header named {@code n} at or after {@code from}, or -1. */
  public final int indexOf(AsciiName n, int from) {
    for (int i = from; i < headerCount; i++) {
      if (nameIs(i, n)) {
        return i;
      }
    }
    return -1;
  }

  /** The first value of header {@code name} (any case), or null: for names a rule reads from configuration. */
  public final String get(CharSequence name) {
    int len = name.length();
    for (int i = 0; i < headerCount; i++) {
      if (nameLength(i) == len && nameMatches(nameStart(i), name)) {
        return value(i);
      }
    }
    return null;
  }

  private boolean nameMatches(int start, CharSequence name) {
    for (int k = 0; k < name.length(); k++) {
      char c = name.charAt(k);
      if (c > 0x7f || Ascii.lower(bytes[start + k]) != Ascii.lower((byte) c)) {
        return false;
      }
    }
    return true;
  }

  public final String name(int i) {
    return new String(bytes, nameStart(i), nameLength(i), StandardCharsets.ISO_8859_1);
  }

  /** Header {@code i}'s value, trimmed. */
  public final String value(int i) {
    return new String(bytes, valueStart(i), valueLength(i), StandardCharsets.ISO_8859_1);
  }

  /** The first value of header {@code n}, or null. */
  public final String get(AsciiName n) {
    int i = indexOf(n);
    return i < 0 ? null : value(i);
  }

  /** Whether header {@code i}'s comma-separated value lists {@code lowerToken} (case-insensitive). */
  public final boolean valueHasToken(int i, String lowerToken) {
    return Ascii.listsToken(bytes, valueStart(i), valueStart(i) + valueLength(i), lowerToken);
  }

  /** 1 for HTTP/1.1, 0 for HTTP/1.0. */
  public final int versionMinor() {
    return versionMinor;
  }

  /** Whether the connection may carry another message after this one (by version and {@code Connection}). */
  public final boolean keepAlive() {
    return versionMinor == 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
  }

  /** The body's length from {@code Content-Length}, or -1 when there is none (or chunked framing wins). */
  public final long contentLength() {
    return contentLength;
  }

  /**
   * Whether the length came as a list or in several {@code Content-Length} fields (all the same value, or the head
   * would have been refused): the forwarded head then carries it once, so no stricter reader sees a conflict.
   */
  public final boolean lengthRepeated() {
    return lengthRepeated;
  }

  /** Whether the body is chunked. */
  public final boolean chunked() {
    return chunked;
  }
}
