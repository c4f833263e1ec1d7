package io.tandem.tls.ocsp;

import static java.nio.charset.StandardCharsets.UTF_8;
import io.tandem.tls.der.Der;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.TestCerts;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OcspResponseTest {
  private static final Instant THIS = Instant.parse("2026-12-05T10:00:00Z");
  private static final Instant NEXT = Instant.parse("2026-12-12T10:00:00Z");

  @TempDir
  Path dir;

  @Test
  void readsStatusesAndValidity() throws Exception {
    byte[] der = OcspResponses.basic(OcspResponses.single(OcspResponses.id(1), OcspResponses.GOOD, THIS, NEXT),
        OcspResponses.single(OcspResponses.id(2), OcspResponses.revoked(THIS.minusSeconds(60)), THIS, null),
        OcspResponses.single(OcspResponses.id(3), OcspResponses.UNKNOWN, THIS, NEXT));
    OcspResponse r = OcspResponse.parse(der);
    assertEquals(OcspResponse.Status.SUCCESSFUL, r.status());
    assertArrayEquals(der, r.encoded());
    List<OcspResponse.SingleResponse> s = r.responses();
    assertEquals(new OcspResponse.SingleResponse(OcspResponses.id(1), OcspResponse.CertStatus.GOOD, THIS, NEXT, null),
        s.get(0));
    assertEquals(new OcspResponse.SingleResponse(OcspResponses.id(2), OcspResponse.CertStatus.REVOKED, THIS, null,
        THIS.minusSeconds(60)), s.get(1));
    assertEquals(OcspResponse.CertStatus.UNKNOWN, s.get(2).status());
  }

  @Test
  void otherStatusesCarryNoResponses() throws Exception {
    OcspResponse r = OcspResponse.parse(OcspResponses.status(3));
    assertEquals(OcspResponse.Status.TRY_LATER, r.status());
    assertEquals("tryLater", r.status().toString());
    assertEquals(List.of(), r.responses());
    assertEquals("unknown OCSP response status 4",
        assertThrows(Der.MalformedException.class, () -> OcspResponse.parse(OcspResponses.status(4))).getMessage());
    assertEquals("unknown OCSP response status 9",
        assertThrows(Der.MalformedException.class, () -> OcspResponse.parse(OcspResponses.status(9))).getMessage());
  }

  @Test
  void malformedResponsesAreRefused() {
    assertEquals("a successful OCSPResponse without responseBytes",
        assertThrows(Der.MalformedException.class, () -> OcspResponse.parse(OcspResponses.status(0))).getMessage());
    byte[] otherType = Der.sequence(Der.tlv(Der.ENUMERATED, new byte[] {0}), Der.tlv(0xa0,
        Der.sequence(Der.oid("1.2.3.4"), Der.octetString(new byte[] {5, 0}))));
    assertEquals("not a basic OCSP response: 1.2.3.4",
        assertThrows(Der.MalformedException.class, () -> OcspResponse.parse(otherType)).getMessage());
    byte[] badStatus = OcspResponses.basic(OcspResponses.single(OcspResponses.id(1), Der.tlv(0x83, new byte[0]),
        THIS, NEXT));
    assertEquals("unknown CertStatus tag 0x83",
        assertThrows(Der.MalformedException.class, () -> OcspResponse.parse(badStatus)).getMessage());
    assertThrows(Der.MalformedException.class, () -> OcspResponse.parse("<html>502</html>".getBytes(UTF_8)));
  }

  @Test
  void everyTruncationAndEveryFlippedByteFailsCleanly() throws Exception {
    byte[] der = OcspResponses.basic(OcspResponses.single(OcspResponses.id(77), OcspResponses.GOOD, THIS, NEXT));
    for (int n = 0; n < der.length; n++) {
      byte[] cut = Arrays.copyOf(der, n);
      assertThrows(Der.MalformedException.class, () -> OcspResponse.parse(cut), "cut at " + n);
    }
    for (int i = 0; i < der.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = der.clone();
        flipped[i] ^= (byte) (1 << bit);
        try {
          OcspResponse.parse(flipped);
        } catch (Der.MalformedException expected) {
          // the only failure allowed
        }
      }
    }
  }

  @Test
  void aRequestForACertificateAsOpensslReadsIt() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    TestCerts.Pair leaf = certs.leaf("leaf", "leaf.tandem.test");
    X509Certificate cert;
    X509Certificate ca;
    try (InputStream in = Files.newInputStream(leaf.cert())) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    try (InputStream in = Files.newInputStream(certs.caCert())) {
      ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    Path req = dir.resolve("req.der");
    Files.write(req, OcspRequest.encode(cert, ca));
    String text = TestCerts.run("openssl", "ocsp", "-reqin", req.toString(), "-req_text");
    assertTrue(text.contains("Hash Algorithm: sha1"), text);
    // openssl prints whole bytes: a serial of an odd number of hex digits gets a leading 0.
    String serial = cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    assertTrue(text.contains("Serial Number: " + (serial.length() % 2 == 1 ? "0" + serial : serial)), text);
    CertId id = CertId.of(cert, ca, CertId.SHA1);
    assertTrue(id.names(cert, ca));
    assertTrue(CertId.of(cert, ca, "2.16.840.1.101.3.4.2.1").names(cert, ca), "a SHA-256 CertID matches too");
    assertEquals(false, new CertId(CertId.SHA1, id.issuerNameHash(), id.issuerKeyHash(), BigInteger.ONE)
        .names(cert, ca));
    OcspResponse r = OcspResponse.parse(OcspResponses.basic(OcspResponses.single(id, OcspResponses.GOOD, THIS, NEXT)));
    assertEquals(NEXT, r.find(cert, ca).nextUpdate());
    assertNull(OcspResponse.parse(OcspResponses.basic(OcspResponses.single(OcspResponses.id(1), OcspResponses.GOOD,
        THIS, NEXT))).find(cert, ca));
    assertNull(OcspRequest.responder(cert), "no Authority Information Access");
  }
}
