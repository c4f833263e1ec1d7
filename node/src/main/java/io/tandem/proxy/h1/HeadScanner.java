package io.tandem.proxy.h1;

import io.netty.buffer.ByteBuf;

/**
 * Finds where a head ends in a connection's input and splits its header block into fields, for both parsers.
 * Resumable: bytes already looked at are not looked at again when more arrive (a head delivered a byte at a time
 * costs linear time). One per connection; {@link #reset()} after each head.
 */
final class HeadScanner {
  private final int maxStartLine;
  private final int maxHeaderBytes;
  private final int maxLeadingEmptyLines;
  private int scanned;
  private int lineStart;
  private int headStart;
  private int startLineEnd = -1;
  int status;
  String reason;

  HeadScanner(int maxStartLine, int maxHeaderBytes, int maxLeadingEmptyLines) {
    this.maxStartLine = maxStartLine;
    this.maxHeaderBytes = maxHeaderBytes;
    this.maxLeadingEmptyLines = maxLeadingEmptyLines;
  }

  void reset() {
    scanned = 0;
    lineStart = 0;
    headStart = 0;
    startLineEnd = -1;
    status = 0;
    reason = null;
  }

  /** Leading empty lines skipped before the start line (relative to the input's reader index). */
  int headStart() {
    return headStart;
  }

  /** Offset just after the start line's CRLF, relative to {@link #headStart()}. */
  int startLineLength() {
    return startLineEnd - headStart;
  }

  /**
   * The end of the head (relative to the reader index, just after the empty line), 0 when more bytes are needed,
   * -1 on a refusal ({@link #status}, {@link #reason}).
   */
  int find(ByteBuf in, int startLimitStatus) {
    int base = in.readerIndex();
    int end = in.writerIndex() - base;
    int i = scanned;
    while (i < end) {
      // The first offset a byte other than LF may not take: the start line's limit, or the header block's.
      int limit = startLineEnd < 0 ? headStart + maxStartLine : startLineEnd + maxHeaderBytes;
      int stop = Math.min(end, Math.max(limit, i) + 1);
      int found = in.indexOf(base + i, base + stop, (byte) '\n');
      if (found < 0) {
        if (stop - 1 >= limit) {
          scanned = stop - 1;
          return startLineEnd < 0
              ? refuse(startLimitStatus, "start line longer than " + maxStartLine + " bytes")
              : refuse(431, "header block larger than " + maxHeaderBytes + " bytes");
        }
        break;
      }
      int lf = found - base;
      if (lf == 0 || in.getByte(found - 1) != '\r' || lf - 1 < lineStart) {
        scanned = lf;
        return refuse(400, "line ending in a bare LF");
      }
      boolean empty = lf - 1 == lineStart;
      lineStart = lf + 1;
      i = lf + 1;
      if (startLineEnd < 0) {
        if (empty) {
          if (lineStart > 2 * maxLeadingEmptyLines) {
            return refuse(400, "too many empty lines before the start line");
          }
          headStart = lineStart;
          continue;
        }
        startLineEnd = lineStart;
      } else if (empty) {
        scanned = i;
        return i;
      }
    }
    scanned = end;
    return 0;
  }

  private int refuse(int s, String why) {
    status = s;
    reason = why;
    return -1;
  }

  /**
   * Splits the header block of {@code head} (bytes [from, to), the final CRLF excluded) into a field table; the
   * number of fields, or -1 on a refusal. {@code dropped} gets, per field, whether its name has an underscore.
   */
  int fields(byte[] head, int from, int to, int maxCount, int[][] tableOut, boolean[][] underscoreOut) {
    int lines = 0;
    for (int i = from; i < to; i++) {
      if (head[i] == '\n') {
        lines++;
      }
    }
    if (lines > maxCount) {
      return refuse(431, "more than " + maxCount + " header fields");
    }
    int[] table = Head.table(lines);
    boolean[] underscore = new boolean[Math.max(1, lines)];
    int n = 0;
    int p = from;
    while (p < to) {
      int lf = p;
      while (head[lf] != '\n') {
        lf++;
      }
      int lineEnd = lf + 1;
      int contentEnd = lf - 1;   // the CR
      byte first = head[p];
      if (Ascii.ows(first)) {
        return refuse(400, "obsolete line folding");
      }
      int colon = p;
      boolean hasUnderscore = false;
      while (colon < contentEnd && head[colon] != ':') {
        byte c = head[colon];
        if (!Ascii.tchar(c)) {
          return refuse(400, Ascii.ows(c) ? "white space before the colon of a header field"
              : "invalid character in a header field name");
        }
        hasUnderscore |= c == '_';
        colon++;
      }
      if (colon == contentEnd || colon == p) {
        return refuse(400, colon == p ? "empty header field name" : "header line without a colon");
      }
      int vs = colon + 1;
      int ve = contentEnd;
      for (int k = vs; k < ve; k++) {
        if (!Ascii.fieldChar(head[k])) {
          return refuse(400, "invalid character in a header field value");
        }
      }
      vs = Ascii.trimStart(head, vs, ve);
      ve = Ascii.trimEnd(head, vs, ve);
      Head.set(table, n, p, p, colon - p, vs, ve - vs, lineEnd);
      underscore[n] = hasUnderscore;
      n++;
      p = lineEnd;
    }
    tableOut[0] = table;
    underscoreOut[0] = underscore;
    return n;
  }

  /**
   * The Content-Length of a comma list or repeated header's value [from, to), checked against {@code prior}
   * (-1: none yet): the length, or -2 when invalid or different from prior.
   */
  static long contentLength(byte[] buf, int from, int to, long prior) {
    long result = prior;
    for (int p = from; p <= to; p = Ascii.elementEnd(buf, p, to) + 1) {
      int end = Ascii.elementEnd(buf, p, to);
      int s = Ascii.trimStart(buf, p, end);
      int e = Ascii.trimEnd(buf, s, end);
      if (e == s || e - s > 18) {
        return -2;
      }
      long v = 0;
      for (int k = s; k < e; k++) {
        byte c = buf[k];
        if (c < '0' || c > '9') {
          return -2;
        }
        v = v * 10 + (c - '0');
      }
      if (result >= 0 && result != v) {
        return -2;
      }
      result = v;
    }
    return result;
  }
}
