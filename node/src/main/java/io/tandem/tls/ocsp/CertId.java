package io.tandem.tls.ocsp;

import io.tandem.tls.der.Der;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The name of one certificate in OCSP (RFC 6960 4.1.1): hashes of its issuer's name and public key, and its serial
 * number. A request asks by SHA-1 (what responders must support); a response may answer by another hash.
 *
 * @param hashOid the hash algorithm's OID, e.g. {@link #SHA1}
 */
public record CertId(String hashOid, byte[] issuerNameHash, byte[] issuerKeyHash, BigInteger serial) {
  public static final String SHA1 = "1.3.14.3.2.26";
  private static final Map<String, String> DIGESTS = Map.of(SHA1, "SHA-1",
      "2.16.840.1.101.3.4.2.1", "SHA-256", "2.16.840.1.101.3.4.2.2", "SHA-384", "2.16.840.1.101.3.4.2.3", "SHA-512");

  /** The CertID of {@code leaf}, issued by {@code issuer}, hashed with {@code hashOid}. */
  public static CertId of(X509Certificate leaf, X509Certificate issuer, String hashOid) throws Der.MalformedException {
    String digest = DIGESTS.get(hashOid);
    if (digest == null) {
      throw new Der.MalformedException("unsupported CertID hash algorithm " + hashOid);
    }
    // The key hash covers the subjectPublicKey BIT STRING's value, without its unused-bits byte.
    List<Der.Value> spki = Der.read(issuer.getPublicKey().getEncoded()).expect(Der.SEQUENCE).children();
    if (spki.size() != 2 || spki.get(1).length() < 1) {
      throw new Der.MalformedException("the issuer's public key is not a SubjectPublicKeyInfo");
    }
    byte[] bits = spki.get(1).expect(Der.BIT_STRING).content();
    return new CertId(hashOid, hash(digest, issuer.getSubjectX500Principal().getEncoded()),
        hash(digest, Arrays.copyOfRange(bits, 1, bits.length)), leaf.getSerialNumber());
  }

  /** Reads a CertID SEQUENCE. */
  static CertId read(Der.Value v) throws Der.MalformedException {
    List<Der.Value> f = v.expect(Der.SEQUENCE).children();
    if (f.size() != 4) {
      throw new Der.MalformedException("a CertID has 4 fields, this one " + f.size());
    }
    List<Der.Value> alg = f.get(0).expect(Der.SEQUENCE).children();
    if (alg.isEmpty()) {
      throw new Der.MalformedException("empty AlgorithmIdentifier");
    }
    return new CertId(alg.get(0).oid(), f.get(1).expect(Der.OCTET_STRING).content(),
        f.get(2).expect(Der.OCTET_STRING).content(), f.get(3).expect(Der.INTEGER).integer());
  }

  /** DER of this CertID. */
  byte[] encoded() {
    return Der.sequence(Der.sequence(Der.oid(hashOid), Der.nullValue()), Der.octetString(issuerNameHash),
        Der.octetString(issuerKeyHash), Der.integer(serial));
  }

  /** Whether this CertID (of a response, any hash) names {@code leaf} issued by {@code issuer}. */
  public boolean names(X509Certificate leaf, X509Certificate issuer) throws Der.MalformedException {
    if (!serial.equals(leaf.getSerialNumber()) || !DIGESTS.containsKey(hashOid)) {
      return false;
    }
    CertId ours = of(leaf, issuer, hashOid);
    return Arrays.equals(issuerNameHash, ours.issuerNameHash) && Arrays.equals(issuerKeyHash, ours.issuerKeyHash);
  }

  private static byte[] hash(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is always there", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CertId c && hashOid.equals(c.hashOid) && Arrays.equals(issuerNameHash, c.issuerNameHash)
        && Arrays.equals(issuerKeyHash, c.issuerKeyHash) && serial.equals(c.serial);
  }

  @Override
  public int hashCode() {
    return serial.hashCode();
  }

  @Override
  public String toString() {
    return "CertId[serial " + serial.toString(16) + "]";
  }
}
