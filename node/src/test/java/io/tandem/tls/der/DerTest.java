package io.tandem.tls.der;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DerTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void writesAndReadsTheTypesOcspUses() throws Exception {
    assertArrayEquals(hex("06 08 2b 06 01 05 05 07 30 01"), Der.oid("1.3.6.1.5.5.7.48.1"));
    assertArrayEquals(hex("06 09 60 86 48 01 65 03 04 02 01"), Der.oid("2.16.840.1.101.3.4.2.1"));
    assertArrayEquals(hex("02 01 00"), Der.integer(BigInteger.ZERO));
    assertArrayEquals(hex("02 02 00 80"), Der.integer(BigInteger.valueOf(128)));
    assertArrayEquals(hex("05 00"), Der.nullValue());
    byte[] seq = Der.sequence(Der.oid("1.3.14.3.2.26"), Der.nullValue(), Der.integer(new BigInteger("-129")));
    List<Der.Value> fields = Der.read(seq).expect(Der.SEQUENCE).children();
    assertEquals("1.3.14.3.2.26", fields.get(0).oid());
    assertEquals(Der.NULL, fields.get(1).tag());
    assertEquals(new BigInteger("-129"), fields.get(2).integer());
    assertArrayEquals(seq, Der.read(seq).encoded());
  }

  @Test
  void longFormLengths() throws Exception {
    for (int n : new int[] {127, 128, 255, 256, 65_535, 65_536, 200_000}) {
      byte[] content = new byte[n];
      content[n - 1] = 7;
      byte[] der = Der.octetString(content);
      Der.Value v = Der.read(der);
      assertEquals(n, v.length(), "length " + n);
      assertArrayEquals(content, v.content());
    }
    assertArrayEquals(hex("04 81 80"), java.util.Arrays.copyOf(Der.octetString(new byte[128]), 3));
    assertArrayEquals(hex("04 82 01 00"), java.util.Arrays.copyOf(Der.octetString(new byte[256]), 4));
  }

  @Test
  void generalizedTimes() throws Exception {
    assertEquals(Instant.parse("2026-12-05T10:11:12Z"), Der.read(hex("18 0f" + ascii("20261205101112Z"))).time());
    assertEquals(Instant.parse("2026-12-05T10:11:12.5Z"),
        Der.read(hex("18 11" + ascii("20261205101112.5Z"))).time());
    for (String bad : new String[] {"20261205101112", "2026120510111Z", "20261305101112Z", "20261205101112.Z",
        "20261205101112+0100"}) {
      byte[] der = Der.tlv(Der.GENERALIZED_TIME, bad.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertThrows(Der.MalformedException.class, () -> Der.read(der).time(), bad);
    }
  }

  @Test
  void malformedInputIsRefusedWithAMessage() {
    String[][] cases = {
        {"", "truncated: no room for a tag and length at byte 0"},
        {"30", "truncated: no room for a tag and length at byte 0"},
        {"30 80 00 00", "indefinite length at byte 0"},
        {"30 85 00 00 00 00 01 00", "5-byte length at byte 0"},
        {"30 82 01", "truncated length at byte 0"},
        {"30 03 02 01", "length 3 at byte 0 runs past the end (2 bytes left)"},
        {"30 00 00", "1 bytes after the value"},
        {"1f 01 00", "multi-byte tag 0x1f at byte 0"},
    };
    for (String[] c : cases) {
      Der.MalformedException e = assertThrows(Der.MalformedException.class, () -> Der.read(hex(c[0])), c[0]);
      assertEquals(c[1], e.getMessage(), c[0]);
    }
    assertEquals("length 5 at byte 2 runs past the end (1 bytes left)",
        assertThrows(Der.MalformedException.class, () -> Der.read(hex("30 03 04 05 00")).children()).getMessage());
    assertEquals("tag 0x04 is not constructed",
        assertThrows(Der.MalformedException.class, () -> Der.read(hex("04 01 00")).children()).getMessage());
    assertEquals("OBJECT IDENTIFIER ends inside an arc",
        assertThrows(Der.MalformedException.class, () -> Der.read(hex("06 02 2b 86")).oid()).getMessage());
    assertEquals("expected tag 0x30, got 0x04",
        assertThrows(Der.MalformedException.class, () -> Der.read(hex("04 00")).expect(Der.SEQUENCE)).getMessage());
    assertThrows(Der.MalformedException.class, () -> Der.read(hex("02 00")).integer());
  }

  @Test
  void randomBytesNeverThrowAnythingElse() {
    Random random = new Random(14);
    for (int i = 0; i < 20_000; i++) {
      byte[] junk = new byte[random.nextInt(40)];
      random.nextBytes(junk);
      if (junk.length > 0 && random.nextBoolean()) {
        junk[0] = 0x30;
      }
      try {
        walk(Der.read(junk));
      } catch (Der.MalformedException expected) {
        // the only failure allowed
      }
    }
  }

  /** Reads every value under {@code v} the way the OCSP code does. */
  static void walk(Der.Value v) throws Der.MalformedException {
    if (v.constructed()) {
      for (Der.Value c : v.children()) {
        walk(c);
      }
    } else if (v.tag() == Der.OID) {
      v.oid();
    } else if (v.tag() == Der.INTEGER) {
      v.integer();
    } else if (v.tag() == Der.GENERALIZED_TIME) {
      v.time();
    }
  }

  private static String ascii(String s) {
    return HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }
}
