package io.tandem.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.NetUtil;
import io.tandem.config.ProxyProtocolVersion;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * HAProxy's PROXY protocol, versions 1 (text) and 2 (binary): a pure parser for headers received from an outer
 * balancer and an encoder for headers sent to backends. The parser never throws and never moves the buffer's
 * reader index; every outcome is a {@link Result}:
 *
 * <pre>{@code
 * Result r = ProxyProtocol.parse(buf);
 * switch (r.status()) {
 *   case INCOMPLETE -> wait for more bytes (a complete header is at most 107 bytes in v1, 16 + 65535 in v2)
 *   case VALID      -> buf.skipBytes(r.length()); use r.header().source() as the client address unless local
 *   case INVALID    -> close the connection; r.problem() says why, e.g. "PROXY v1: invalid source address"
 *   case ABSENT     -> the bytes do not start with a PROXY header at all
 * }
 * }</pre>
 *
 * Reference: https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt
 */
public final class ProxyProtocol {
  /** Longest v1 header, CRLF included. */
  public static final int V1_MAX_LENGTH = 107;
  private static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] V2_SIGNATURE =
      {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  private static final int V2_FIXED = 16;

  private ProxyProtocol() {}

  /** Parse outcome. */
  public enum Status { INCOMPLETE, VALID, INVALID, ABSENT }

  /**
   * @param status  what was found
   * @param header  the header when {@code VALID}, else null
   * @param length  bytes the header takes when {@code VALID}, else 0
   * @param problem why it is {@code INVALID}, else null
   */
  public record Result(Status status, ProxyHeader header, int length, String problem) {
    static final Result INCOMPLETE = new Result(Status.INCOMPLETE, null, 0, null);
    static final Result ABSENT = new Result(Status.ABSENT, null, 0, null);

    static Result valid(ProxyHeader header, int length) {
      return new Result(Status.VALID, header, length, null);
    }

    static Result invalid(String problem) {
      return new Result(Status.INVALID, null, 0, problem);
    }
  }

  /** Whether bytes start with a PROXY header's signature: {@code "PROXY "} (v1) or the 12-byte v2 signature. */
  public enum Signature { PRESENT, ABSENT, UNDECIDED }

  /**
   * Looks only at the signature, for a sender that must not send a header at all: {@code UNDECIDED} while the bytes
   * so far are a strict prefix of a signature (empty input included).
   */
  public static Signature signature(ByteBuf in) {
    int available = in.readableBytes();
    int start = in.readerIndex();
    boolean v2 = matchesPrefix(in, start, available, V2_SIGNATURE);
    boolean v1 = matchesPrefix(in, start, available, V1_SIGNATURE);
    if ((v2 && available >= V2_SIGNATURE.length) || (v1 && available >= V1_SIGNATURE.length)) {
      return Signature.PRESENT;
    }
    return v1 || v2 ? Signature.UNDECIDED : Signature.ABSENT;
  }

  /** Parses a header at the start of {@code data}. */
  public static Result parse(byte[] data) {
    return parse(Unpooled.wrappedBuffer(data));
  }

  /** Parses a header at {@code in}'s reader index (which is left where it is). */
  public static Result parse(ByteBuf in) {
    try {
      int available = in.readableBytes();
      int start = in.readerIndex();
      if (matchesPrefix(in, start, available, V2_SIGNATURE)) {
        return available < V2_FIXED ? Result.INCOMPLETE : parseV2(in, start, available);
      }
      if (matchesPrefix(in, start, available, V1_SIGNATURE)) {
        return available < V1_SIGNATURE.length ? Result.INCOMPLETE : parseV1(in, start, available);
      }
      return Result.ABSENT;
    } catch (RuntimeException e) {
      // Not expected; the data path must never see an exception for bad input.
      return Result.invalid("PROXY header could not be parsed: " + e);
    }
  }

  /** Whether the first bytes (as many as are available) agree with {@code signature}. */
  private static boolean matchesPrefix(ByteBuf in, int start, int available, byte[] signature) {
    int n = Math.min(available, signature.length);
    if (n == 0) {
      return true;
    }
    for (int i = 0; i < n; i++) {
      if (in.getByte(start + i) != signature[i]) {
        return false;
      }
    }
    return true;
  }

  // ---- v1 ----

  private static Result parseV1(ByteBuf in, int start, int available) {
    int limit = Math.min(available, V1_MAX_LENGTH);
    int lf = -1;
    for (int i = 0; i < limit; i++) {
      byte b = in.getByte(start + i);
      if (b == '\n') {
        lf = i;
        break;
      }
      if (b != '\r' && (b < 0x20 || b > 0x7e)) {
        return Result.invalid("PROXY v1: header has a non-printable byte at offset " + i);
      }
    }
    if (lf < 0) {
      return available < V1_MAX_LENGTH ? Result.INCOMPLETE
          : Result.invalid("PROXY v1: no CRLF within " + V1_MAX_LENGTH + " bytes");
    }
    if (lf == 0 || in.getByte(start + lf - 1) != '\r') {
      return Result.invalid("PROXY v1: line must end with CRLF");
    }
    String line = in.toString(start, lf - 1, StandardCharsets.US_ASCII);
    if (line.indexOf('\r') >= 0) {
      return Result.invalid("PROXY v1: stray CR inside the header");
    }
    String[] f = line.split(" ", -1);
    int length = lf + 1;
    if (f.length >= 2 && f[1].equals("UNKNOWN")) {
      return Result.valid(ProxyHeader.LOCAL, length);
    }
    if (f.length < 2 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) {
      return Result.invalid("PROXY v1: protocol must be TCP4, TCP6 or UNKNOWN, got \""
          + (f.length < 2 ? "" : shorten(f[1])) + "\"");
    }
    if (f.length != 6) {
      return Result.invalid("PROXY v1: expected 6 fields separated by single spaces, got " + f.length);
    }
    boolean v4 = f[1].equals("TCP4");
    InetAddress src = v1Address(f[2], v4);
    if (src == null) {
      return Result.invalid("PROXY v1: invalid " + f[1] + " source address \"" + shorten(f[2]) + "\"");
    }
    InetAddress dst = v1Address(f[3], v4);
    if (dst == null) {
      return Result.invalid("PROXY v1: invalid " + f[1] + " destination address \"" + shorten(f[3]) + "\"");
    }
    int sport = v1Port(f[4]);
    if (sport < 0) {
      return Result.invalid("PROXY v1: invalid source port \"" + shorten(f[4]) + "\"");
    }
    int dport = v1Port(f[5]);
    if (dport < 0) {
      return Result.invalid("PROXY v1: invalid destination port \"" + shorten(f[5]) + "\"");
    }
    return Result.valid(new ProxyHeader(new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport)), length);
  }

  private static InetAddress v1Address(String s, boolean v4) {
    boolean ok = v4 ? NetUtil.isValidIpV4Address(s)
        : NetUtil.isValidIpV6Address(s) && s.indexOf('%') < 0 && s.indexOf('[') < 0;
    if (!ok) {
      return null;
    }
    // Parses a literal only; never a name lookup.
    InetAddress a = NetUtil.createInetAddressFromIpAddressString(s);
    if (a == null || (v4 && !(a instanceof Inet4Address))) {
      return null;
    }
    return a;
  }

  private static int v1Port(String s) {
    if (s.isEmpty() || s.length() > 5 || (s.length() > 1 && s.charAt(0) == '0')) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n <= 65535 ? n : -1;
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  // ---- v2 ----

  private static Result parseV2(ByteBuf in, int start, int available) {
    int verCmd = in.getUnsignedByte(start + 12);
    if ((verCmd >> 4) != 2) {
      return Result.invalid("PROXY v2: version " + (verCmd >> 4) + ", expected 2");
    }
    int command = verCmd & 0x0f;
    if (command > 1) {
      return Result.invalid("PROXY v2: unknown command " + command + " (0 is LOCAL, 1 is PROXY)");
    }
    int family = in.getUnsignedByte(start + 13);
    int length = in.getUnsignedShort(start + 14);
    int total = V2_FIXED + length;
    if (available < total) {
      return Result.INCOMPLETE;
    }
    if (command == 0) {
      return Result.valid(ProxyHeader.LOCAL, total);
    }
    int af = family >> 4;
    int transport = family & 0x0f;
    int addressBytes;
    switch (af) {
      case 0, 3 -> {
        // UNSPEC or AF_UNIX: nothing usable for an IP client address; the connection's own addresses stand.
        return Result.valid(ProxyHeader.LOCAL, total);
      }
      case 1 -> addressBytes = 12;
      case 2 -> addressBytes = 36;
      default -> {
        return Result.invalid("PROXY v2: unknown address family " + af);
      }
    }
    if (transport != 1) {
      return Result.invalid("PROXY v2: transport " + transport + " is not STREAM (1)");
    }
    if (length < addressBytes) {
      return Result.invalid("PROXY v2: address block of " + length + " bytes, family " + (af == 1 ? "INET" : "INET6")
          + " needs " + addressBytes);
    }
    String tlvProblem = checkTlvs(in, start + V2_FIXED + addressBytes, start + total);
    if (tlvProblem != null) {
      return Result.invalid(tlvProblem);
    }
    int ipLength = af == 1 ? 4 : 16;
    byte[] src = new byte[ipLength];
    byte[] dst = new byte[ipLength];
    int at = start + V2_FIXED;
    in.getBytes(at, src);
    in.getBytes(at + ipLength, dst);
    int sport = in.getUnsignedShort(at + 2 * ipLength);
    int dport = in.getUnsignedShort(at + 2 * ipLength + 2);
    try {
      return Result.valid(new ProxyHeader(new InetSocketAddress(InetAddress.getByAddress(src), sport),
          new InetSocketAddress(InetAddress.getByAddress(dst), dport)), total);
    } catch (java.net.UnknownHostException e) {
      return Result.invalid("PROXY v2: bad address length");   // cannot happen: lengths are 4 or 16
    }
  }

  /** Null when the type-length-value records after the addresses fill their space exactly. */
  private static String checkTlvs(ByteBuf in, int from, int end) {
    int at = from;
    while (at < end) {
      if (end - at < 3) {
        return "PROXY v2: truncated TLV at offset " + (at - from);
      }
      int len = in.getUnsignedShort(at + 1);
      if (at + 3 + len > end) {
        return "PROXY v2: TLV of " + len + " bytes overruns the header";
      }
      at += 3 + len;
    }
    return null;
  }

  // ---- encoding ----

  /**
   * The header telling a backend that {@code source} connected to {@code destination}; a LOCAL / UNKNOWN header when
   * {@code source} or {@code destination} is null or not an IP address. Mixed families are sent as IPv6 (IPv4 mapped).
   */
  public static ByteBuf encode(ProxyProtocolVersion version, InetSocketAddress source, InetSocketAddress destination,
      ByteBufAllocator alloc) {
    InetAddress src = source == null ? null : source.getAddress();
    InetAddress dst = destination == null ? null : destination.getAddress();
    boolean known = src != null && dst != null;
    boolean v4 = known && src instanceof Inet4Address && dst instanceof Inet4Address;
    if (version == ProxyProtocolVersion.V1) {
      String line = !known ? "PROXY UNKNOWN\r\n"
          : "PROXY " + (v4 ? "TCP4 " : "TCP6 ") + text(src, v4) + " " + text(dst, v4) + " " + source.getPort() + " "
              + destination.getPort() + "\r\n";
      return alloc.buffer(line.length()).writeBytes(line.getBytes(StandardCharsets.US_ASCII));
    }
    ByteBuf out = alloc.buffer(V2_FIXED + 36);
    out.writeBytes(V2_SIGNATURE);
    if (!known) {
      return out.writeByte(0x20).writeByte(0x00).writeShort(0);
    }
    out.writeByte(0x21).writeByte(v4 ? 0x11 : 0x21).writeShort(v4 ? 12 : 36);
    out.writeBytes(bytes(src, v4)).writeBytes(bytes(dst, v4));
    return out.writeShort(source.getPort()).writeShort(destination.getPort());
  }

  private static byte[] bytes(InetAddress a, boolean v4) {
    byte[] b = a.getAddress();
    if (v4 || b.length == 16) {
      return b;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(b, 0, mapped, 12, 4);
    return mapped;
  }

  private static String text(InetAddress a, boolean v4) {
    if (v4) {
      return a.getHostAddress();
    }
    return a instanceof Inet4Address ? "::ffff:" + a.getHostAddress() : NetUtil.toAddressString(a);
  }
}
