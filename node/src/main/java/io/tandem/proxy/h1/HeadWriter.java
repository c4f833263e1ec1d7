package io.tandem.proxy.h1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tandem.proxy.ForwardedElement;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the request head Tandem forwards to a backend, by splicing: the client's request line and header lines are
 * copied as they came (so {@code Host}, header order, case and spacing are byte-identical), except the hop-by-hop
 * headers (RFC 9110 7.6.1: {@code Connection}, every header it names, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code TE}, {@code Trailer}, {@code Upgrade} unless the request switches protocols, {@code Proxy-Authorization},
 * {@code Proxy-Authenticate}), names with an underscore when those are not allowed, and the forwarding headers Tandem
 * sets itself, which follow at the end: {@code X-Forwarded-For} and {@code Forwarded} with the client appended to what
 * came, {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} and {@code X-Request-Id}. {@code Transfer-Encoding} and
 * {@code Content-Length} stay: the body is forwarded with the framing it came with (a length sent as a list or in
 * several fields, all equal, goes out once). One pooled buffer, no String per
 * header.
 *
 * <pre>{@code
 * ByteBuf out = HeadWriter.request(ch.alloc(), head, "127.0.0.1", "http", requestId, false);
 * backend.writeAndFlush(out);
 * }</pre>
 */
public final class HeadWriter {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] UPGRADE_CONNECTION = bytes("Connection: upgrade\r\n");
  private static final byte[] CONTENT_LENGTH = bytes("Content-Length: ");
  private static final byte[] X_FORWARDED_FOR = bytes("X-Forwarded-For: ");
  private static final byte[] X_FORWARDED_PROTO = bytes("X-Forwarded-Proto: ");
  private static final byte[] X_FORWARDED_HOST = bytes("X-Forwarded-Host: ");
  private static final byte[] FORWARDED = bytes("Forwarded: ");
  private static final byte[] X_REQUEST_ID = bytes("X-Request-Id: ");
  private static final byte[] CONNECTION = bytes("Connection: ");
  private static final byte[] STRICT_TRANSPORT_SECURITY = bytes("Strict-Transport-Security: ");
  private static final byte[] SET_COOKIE = bytes("Set-Cookie: ");
  private static final byte[] ALT_SVC = bytes("Alt-Svc: ");

  private HeadWriter() {}

  /**
   * The head to send to the backend for {@code head}.
   *
   * @param clientIp  the client's address (the peer, or the one a trusted PROXY header named)
   * @param proto     {@code http} or {@code https}: the client's side
   * @param requestId the request's id (the client's when trusted, else Tandem's)
   * @param upgrade   whether the request switches protocols (its {@code Upgrade} and {@code Connection: upgrade} stay)
   */
  public static ByteBuf request(ByteBufAllocator alloc, RequestHead head, String clientIp, String proto,
      String requestId, boolean upgrade) {
    return request(alloc, head, clientIp, proto, requestId, upgrade, null, null);
  }

  /**
   * The same with what a route's actions changed: {@code target} replaces the request target (a rewritten path),
   * {@code edits} removes and adds fields (null: none). A forwarding header Tandem sets itself that an action removed
   * or set is left to the action.
   */
  public static ByteBuf request(ByteBufAllocator alloc, RequestHead head, String clientIp, String proto,
      String requestId, boolean upgrade, String target, HeaderEdits edits) {
    byte[] in = head.bytes;
    int extra = (target == null ? 0 : target.length()) + (edits == null ? 0 : edits.addedLength());
    ByteBuf out = alloc.directBuffer(head.length() + 160 + clientIp.length() + requestId.length() + extra);
    if (target == null) {
      out.writeBytes(in, 0, head.headerBlockStart());
    } else {
      out.writeBytes(in, 0, head.uriStart());
      out.writeCharSequence(target, StandardCharsets.ISO_8859_1);
      int after = head.uriStart() + head.uriLength();
      out.writeBytes(in, after, head.headerBlockStart() - after);
    }
    String xff = null;
    String forwarded = null;
    String host = head.host();
    int connection = head.indexOf(HeaderNames.CONNECTION);
    for (int i = 0; i < head.headerCount(); i++) {
      if (head.nameIs(i, HeaderNames.X_FORWARDED_FOR)) {
        xff = join(xff, head.value(i));
      } else if (head.nameIs(i, HeaderNames.FORWARDED)) {
        forwarded = join(forwarded, head.value(i));
      } else if (!skipped(head, i, connection, upgrade)
          && !(head.lengthRepeated() && head.nameIs(i, HeaderNames.CONTENT_LENGTH))
          && (edits == null || !edits.removes(head, i))) {
        out.writeBytes(in, head.lineStart(i), head.lineEnd(i) - head.lineStart(i));
      }
    }
    if (head.lengthRepeated()) {
      line(out, CONTENT_LENGTH, Long.toString(head.contentLength()));
    }
    if (upgrade) {
      out.writeBytes(UPGRADE_CONNECTION);
    }
    forwarding(out, clientIp, proto, requestId, xff, forwarded, host, edits);
    if (edits != null) {
      added(out, edits);
    }
    out.writeBytes(CRLF);
    return out;
  }

  /** Tandem's forwarding headers, but those an action removed or set ({@code edits} may be null). */
  private static void forwarding(ByteBuf out, String clientIp, String proto, String requestId, String xff,
      String forwarded, String host, HeaderEdits edits) {
    if (edits == null || !edits.removes(HeaderNames.X_FORWARDED_FOR.name())) {
      line(out, X_FORWARDED_FOR, xff == null ? clientIp : xff + ", " + clientIp);
    }
    if (edits == null || !edits.removes(HeaderNames.X_FORWARDED_PROTO.name())) {
      line(out, X_FORWARDED_PROTO, proto);
    }
    if (host != null && (edits == null || !edits.removes(HeaderNames.X_FORWARDED_HOST.name()))) {
      line(out, X_FORWARDED_HOST, host);
    }
    if (edits == null || !edits.removes(HeaderNames.FORWARDED.name())) {
      String element = ForwardedElement.of(clientIp, proto, host);
      line(out, FORWARDED, forwarded == null ? element : forwarded + ", " + element);
    }
    if (edits == null || !edits.removes(HeaderNames.X_REQUEST_ID.name())) {
      line(out, X_REQUEST_ID, requestId);
    }
  }

  private static void added(ByteBuf out, HeaderEdits edits) {
    List<String> added = edits.added();
    for (int i = 0; i + 1 < added.size(); i += 2) {
      out.writeCharSequence(added.get(i), StandardCharsets.ISO_8859_1);
      out.writeByte(':');
      out.writeByte(' ');
      out.writeCharSequence(added.get(i + 1), StandardCharsets.ISO_8859_1);
      out.writeBytes(CRLF);
    }
  }

  /**
   * The response head to send to the client for the backend's {@code head}: its status line (a custom reason phrase
   * included) and end-to-end header lines as they came, minus the hop-by-hop ones, then what Tandem adds.
   *
   * @param upgrade    whether the response switches protocols (101: its {@code Upgrade} stays)
   * @param connection the {@code Connection} value to send ({@code close}, {@code keep-alive} for an HTTP/1.0
   *                   client, {@code upgrade}), or null for none
   * @param hsts       a {@code Strict-Transport-Security} value replacing the backend's, or null
   * @param setCookie  a {@code Set-Cookie} value to add (session persistence), or null
   */
  public static ByteBuf response(ByteBufAllocator alloc, ResponseHead head, boolean upgrade, String connection,
      String hsts, String setCookie) {
    return response(alloc, head, upgrade, connection, hsts, setCookie, null);
  }

  /** The same with a route's response header {@code edits} (null: none), applied before Tandem's own fields. */
  public static ByteBuf response(ByteBufAllocator alloc, ResponseHead head, boolean upgrade, String connection,
      String hsts, String setCookie, HeaderEdits edits) {
    return response(alloc, head, upgrade, connection, hsts, setCookie, edits, null);
  }

  /**
   * The same with an {@code Alt-Svc} value to advertise (HTTP/3 on the listener's UDP port), added when the backend
   * sent none; null: none.
   */
  public static ByteBuf response(ByteBufAllocator alloc, ResponseHead head, boolean upgrade, String connection,
      String hsts, String setCookie, HeaderEdits edits, String altSvc) {
    byte[] in = head.bytes;
    if (altSvc != null && head.indexOf(HeaderNames.ALT_SVC) >= 0) {
      altSvc = null;   // the backend's own advertisement stands
    }
    ByteBuf out = alloc.directBuffer(head.length() + 64 + (hsts == null ? 0 : hsts.length() + 30)
        + (setCookie == null ? 0 : setCookie.length() + 14) + (edits == null ? 0 : edits.addedLength())
        + (altSvc == null ? 0 : altSvc.length() + 12));
    out.writeBytes(in, 0, head.headerBlockStart());
    int conn = head.indexOf(HeaderNames.CONNECTION);
    for (int i = 0; i < head.headerCount(); i++) {
      boolean skip = hopByHop(head, i, conn, upgrade)
          || (head.lengthIgnored() && head.nameIs(i, HeaderNames.CONTENT_LENGTH))
          || (hsts != null && head.nameIs(i, HeaderNames.STRICT_TRANSPORT_SECURITY))
          || (edits != null && edits.removes(head, i));
      if (!skip) {
        out.writeBytes(in, head.lineStart(i), head.lineEnd(i) - head.lineStart(i));
      }
    }
    if (edits != null) {
      added(out, edits);
    }
    if (connection != null) {
      line(out, CONNECTION, connection);
    }
    if (hsts != null) {
      line(out, STRICT_TRANSPORT_SECURITY, hsts);
    }
    if (setCookie != null) {
      line(out, SET_COOKIE, setCookie);
    }
    if (altSvc != null) {
      line(out, ALT_SVC, altSvc);
    }
    out.writeBytes(CRLF);
    return out;
  }

  /** Whether header {@code i} is not forwarded as it came (hop-by-hop, listed in Connection, or set by Tandem). */
  static boolean skipped(RequestHead head, int i, int connection, boolean upgrade) {
    return head.dropped(i) || hopByHop(head, i, connection, upgrade) || head.nameIs(i, HeaderNames.X_FORWARDED_PROTO)
        || head.nameIs(i, HeaderNames.X_FORWARDED_HOST) || head.nameIs(i, HeaderNames.X_REQUEST_ID);
  }

  /** RFC 9110 7.6.1: the headers that concern one connection only ({@code connection}: the first Connection, or -1). */
  private static boolean hopByHop(Head head, int i, int connection, boolean upgrade) {
    if (head.nameIs(i, HeaderNames.CONNECTION) || head.nameIs(i, HeaderNames.KEEP_ALIVE)
        || head.nameIs(i, HeaderNames.PROXY_CONNECTION) || head.nameIs(i, HeaderNames.TE)
        || head.nameIs(i, HeaderNames.TRAILER) || head.nameIs(i, HeaderNames.PROXY_AUTHORIZATION)
        || head.nameIs(i, HeaderNames.PROXY_AUTHENTICATE)) {
      return true;
    }
    if (head.nameIs(i, HeaderNames.UPGRADE)) {
      return !upgrade;
    }
    return connection >= 0 && listedInConnection(head, i);
  }

  /** Whether header {@code i}'s name is one of the tokens of any Connection header (compared on bytes). */
  private static boolean listedInConnection(Head head, int i) {
    byte[] in = head.bytes;
    int nameStart = head.nameStart(i);
    int nameLength = head.nameLength(i);
    for (int c = head.indexOf(HeaderNames.CONNECTION); c >= 0; c = head.indexOf(HeaderNames.CONNECTION, c + 1)) {
      int end = head.valueStart(c) + head.valueLength(c);
      for (int p = head.valueStart(c); p < end; p = Ascii.elementEnd(in, p, end) + 1) {
        int e = Ascii.elementEnd(in, p, end);
        int s = Ascii.trimStart(in, p, e);
        e = Ascii.trimEnd(in, s, e);
        if (e - s == nameLength && Ascii.regionEqualsIgnoreCase(in, s, nameStart, nameLength)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String join(String prior, String value) {
    return prior == null ? value : prior + ", " + value;
  }

  /** Writes {@code nameColonSpace} (a constant's bytes), the value and a CRLF. */
  private static void line(ByteBuf out, byte[] nameColonSpace, String value) {
    out.writeBytes(nameColonSpace);
    out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
    out.writeBytes(CRLF);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
