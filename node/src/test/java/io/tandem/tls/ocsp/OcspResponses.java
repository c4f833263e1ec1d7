package io.tandem.tls.ocsp;

import io.tandem.tls.der.Der;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * OCSP responses built by hand for tests (unsigned: Tandem does not check signatures). Example:
 * {@code OcspResponses.basic(OcspResponses.single(id, OcspResponses.GOOD, now, now.plus(1, DAYS)))}.
 */
public final class OcspResponses {
  public static final byte[] GOOD = Der.tlv(0x80, new byte[0]);
  public static final byte[] UNKNOWN = Der.tlv(0x82, new byte[0]);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private OcspResponses() {}

  public static byte[] revoked(Instant at) {
    return Der.tlv(0xa1, time(at));
  }

  public static byte[] time(Instant t) {
    return Der.tlv(Der.GENERALIZED_TIME, TIME.format(t).getBytes(StandardCharsets.US_ASCII));
  }

  /** A SingleResponse; {@code nextUpdate} may be null. */
  public static byte[] single(CertId id, byte[] status, Instant thisUpdate, Instant nextUpdate) {
    return nextUpdate == null ? Der.sequence(id.encoded(), status, time(thisUpdate))
        : Der.sequence(id.encoded(), status, time(thisUpdate), Der.tlv(0xa0, time(nextUpdate)));
  }

  /** A successful response with a basic response holding {@code singles}, a responder named by key hash. */
  public static byte[] basic(byte[]... singles) {
    byte[] data = Der.sequence(Der.tlv(0xa2, Der.octetString(new byte[20])), time(Instant.parse("2026-01-01T00:00:00Z")),
        Der.sequence(singles));
    byte[] basic = Der.sequence(data, Der.sequence(Der.oid("1.2.840.10045.4.3.2")), Der.tlv(Der.BIT_STRING,
        new byte[] {0, 1, 2, 3}));
    byte[] responseBytes = Der.sequence(Der.oid("1.3.6.1.5.5.7.48.1.1"), Der.octetString(basic));
    return Der.sequence(Der.tlv(Der.ENUMERATED, new byte[] {0}), Der.tlv(0xa0, responseBytes));
  }

  /** A response with a status other than successful (no response bytes). */
  public static byte[] status(int code) {
    return Der.sequence(Der.tlv(Der.ENUMERATED, new byte[] {(byte) code}));
  }

  /** A CertID by SHA-1 with made-up hashes. */
  public static CertId id(long serial) {
    byte[] name = new byte[20];
    byte[] key = new byte[20];
    name[0] = 1;
    key[0] = 2;
    return new CertId(CertId.SHA1, name, key, BigInteger.valueOf(serial));
  }
}
