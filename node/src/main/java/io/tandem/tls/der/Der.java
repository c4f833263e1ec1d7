package io.tandem.tls.der;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The little of ASN.1 DER that OCSP needs: reading a value's tag, length and content, and writing the few types a
 * request holds. Lengths are definite (DER has no other), at most four bytes long, and must fit in what is left;
 * anything else is a {@link MalformedException}, never an index error.
 *
 * <pre>{@code
 * Der.Value seq = Der.read(bytes);                  // the whole input must be one value
 * List<Der.Value> fields = seq.children();          // a SEQUENCE's elements
 * BigInteger serial = fields.get(3).integer();
 * byte[] request = Der.sequence(Der.integer(BigInteger.TEN), Der.octetString(new byte[] {1, 2}));
 * }</pre>
 */
public final class Der {
  public static final int INTEGER = 0x02;
  public static final int BIT_STRING = 0x03;
  public static final int OCTET_STRING = 0x04;
  public static final int NULL = 0x05;
  public static final int OID = 0x06;
  public static final int ENUMERATED = 0x0a;
  public static final int IA5_STRING = 0x16;
  public static final int GENERALIZED_TIME = 0x18;
  public static final int SEQUENCE = 0x30;

  private static final DateTimeFormatter GENERALIZED = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

  private Der() {}

  /** Input that is not the DER expected: truncated, over-long, of another type. */
  public static final class MalformedException extends Exception {
    public MalformedException(String message) {
      super(message);
    }
  }

  /**
   * One value: its tag byte (class, constructed bit and number; numbers above 30 are refused) and its content, a
   * range of the input array. {@code encoded()} is the whole TLV.
   */
  public record Value(int tag, byte[] input, int start, int contentStart, int end) {
    /** The content bytes (a copy). */
    public byte[] content() {
      return java.util.Arrays.copyOfRange(input, contentStart, end);
    }

    /** Tag, length and content (a copy). */
    public byte[] encoded() {
      return java.util.Arrays.copyOfRange(input, start, end);
    }

    public int length() {
      return end - contentStart;
    }

    public boolean constructed() {
      return (tag & 0x20) != 0;
    }

    /** The content of a constructed value read as consecutive values (a SEQUENCE's, or an explicit tag's). */
    public List<Value> children() throws MalformedException {
      if (!constructed()) {
        throw new MalformedException(String.format("tag 0x%02x is not constructed", tag));
      }
      List<Value> out = new ArrayList<>();
      int at = contentStart;
      while (at < end) {
        Value v = readAt(input, at, end);
        out.add(v);
        at = v.end();
      }
      return out;
    }

    /** This value, which must carry {@code expected}. */
    public Value expect(int expected) throws MalformedException {
      if (tag != expected) {
        throw new MalformedException(String.format("expected tag 0x%02x, got 0x%02x", expected, tag));
      }
      return this;
    }

    /** The single value inside an explicit tag ({@code [0] EXPLICIT ...}). */
    public Value explicit() throws MalformedException {
      List<Value> inner = children();
      if (inner.size() != 1) {
        throw new MalformedException(String.format("tag 0x%02x holds %d values, not one", tag, inner.size()));
      }
      return inner.get(0);
    }

    public BigInteger integer() throws MalformedException {
      if (tag != INTEGER && tag != ENUMERATED) {
        throw new MalformedException(String.format("expected an INTEGER, got tag 0x%02x", tag));
      }
      if (length() == 0) {
        throw new MalformedException("empty INTEGER");
      }
      return new BigInteger(content());
    }

    /** A dotted object identifier, e.g. {@code 1.3.6.1.5.5.7.48.1}. */
    public String oid() throws MalformedException {
      expect(OID);
      if (length() == 0) {
        throw new MalformedException("empty OBJECT IDENTIFIER");
      }
      StringBuilder sb = new StringBuilder();
      long arc = 0;
      boolean first = true;
      for (int i = contentStart; i < end; i++) {
        int b = input[i] & 0xff;
        if (arc > (Long.MAX_VALUE >> 7)) {
          throw new MalformedException("OBJECT IDENTIFIER arc too large");
        }
        arc = (arc << 7) | (b & 0x7f);
        if ((b & 0x80) == 0) {
          if (first) {
            int top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            sb.append(top).append('.').append(arc - 40L * top);
            first = false;
          } else {
            sb.append('.').append(arc);
          }
          arc = 0;
        } else if (i == end - 1) {
          throw new MalformedException("OBJECT IDENTIFIER ends inside an arc");
        }
      }
      return sb.toString();
    }

    /** A GeneralizedTime in UTC, {@code YYYYMMDDHHMMSS[.fff]Z}. */
    public Instant time() throws MalformedException {
      expect(GENERALIZED_TIME);
      String s = new String(input, contentStart, length(), StandardCharsets.US_ASCII);
      if (s.length() < 15 || !s.endsWith("Z")) {
        throw new MalformedException("GeneralizedTime not in UTC: " + s);
      }
      String fraction = s.substring(14, s.length() - 1);
      try {
        Instant whole = LocalDateTime.parse(s.substring(0, 14), GENERALIZED).toInstant(ZoneOffset.UTC);
        if (fraction.isEmpty()) {
          return whole;
        }
        if (!fraction.matches("\\.[0-9]{1,9}")) {
          throw new MalformedException("bad GeneralizedTime fraction: " + s);
        }
        return whole.plusNanos(Long.parseLong((fraction.substring(1) + "00000000").substring(0, 9)));
      } catch (DateTimeParseException e) {
        throw new MalformedException("bad GeneralizedTime: " + s);
      }
    }

    /** The content of a string type, as ASCII. */
    public String ascii() {
      return new String(input, contentStart, length(), StandardCharsets.US_ASCII);
    }
  }

  /** Reads {@code input}, which must hold exactly one value. */
  public static Value read(byte[] input) throws MalformedException {
    Value v = readAt(input, 0, input.length);
    if (v.end() != input.length) {
      throw new MalformedException((input.length - v.end()) + " bytes after the value");
    }
    return v;
  }

  private static Value readAt(byte[] in, int at, int limit) throws MalformedException {
    if (limit - at < 2) {
      throw new MalformedException("truncated: no room for a tag and length at byte " + at);
    }
    int tag = in[at] & 0xff;
    if ((tag & 0x1f) == 0x1f) {
      throw new MalformedException(String.format("multi-byte tag 0x%02x at byte %d", tag, at));
    }
    int first = in[at + 1] & 0xff;
    int contentStart = at + 2;
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int n = first & 0x7f;
      if (n == 0) {
        throw new MalformedException("indefinite length at byte " + at);
      }
      if (n > 4) {
        throw new MalformedException(n + "-byte length at byte " + at);
      }
      if (limit - contentStart < n) {
        throw new MalformedException("truncated length at byte " + at);
      }
      length = 0;
      for (int i = 0; i < n; i++) {
        length = (length << 8) | (in[contentStart + i] & 0xff);
      }
      contentStart += n;
    }
    if (length > limit - contentStart) {
      throw new MalformedException("length " + length + " at byte " + at + " runs past the end ("
          + (limit - contentStart) + " bytes left)");
    }
    return new Value(tag, in, at, contentStart, contentStart + (int) length);
  }

  // ---- writing ----

  /** One value: {@code tag}, the DER length of {@code content}, {@code content}. */
  public static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** A SEQUENCE of already encoded values. */
  public static byte[] sequence(byte[]... encoded) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] e : encoded) {
      content.writeBytes(e);
    }
    return tlv(SEQUENCE, content.toByteArray());
  }

  public static byte[] integer(BigInteger n) {
    return tlv(INTEGER, n.toByteArray());
  }

  public static byte[] octetString(byte[] content) {
    return tlv(OCTET_STRING, content);
  }

  public static byte[] nullValue() {
    return tlv(NULL, new byte[0]);
  }

  /** An OBJECT IDENTIFIER from its dotted form. */
  public static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    if (arcs.length < 2) {
      throw new IllegalArgumentException("an OID has at least two arcs: " + dotted);
    }
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    base128(content, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      base128(content, Long.parseLong(arcs[i]));
    }
    return tlv(OID, content.toByteArray());
  }

  private static void base128(ByteArrayOutputStream out, long arc) {
    int groups = 1;
    while (groups < 10 && (arc >>> (7 * groups)) != 0) {
      groups++;
    }
    for (int g = groups - 1; g >= 0; g--) {
      int b = (int) ((arc >>> (7 * g)) & 0x7f);
      out.write(g == 0 ? b : b | 0x80);
    }
  }
}
