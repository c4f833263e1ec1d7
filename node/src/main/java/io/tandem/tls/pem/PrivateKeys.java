package io.tandem.tls.pem;

import io.tandem.tls.der.Der;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * Private keys from PEM: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY}) and SEC1 EC
 * ({@code EC PRIVATE KEY}), the three shapes openssl writes. The last two are re-wrapped as PKCS#8 for the JDK.
 */
final class PrivateKeys {
  private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
  private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

  private PrivateKeys() {}

  /** The key, or an exception whose message says what is wrong with {@code block}. */
  static PrivateKey parse(PemBlocks.Block block) throws GeneralSecurityException {
    switch (block.type()) {
      case "PRIVATE KEY":
        return pkcs8(block.der(), "RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");
      case "RSA PRIVATE KEY":
        return pkcs8(pkcs8Wrap(RSA_ALGORITHM, block.der()), "RSA");
      case "EC PRIVATE KEY":
        byte[] algorithm = Der.sequence(EC_PUBLIC_KEY_OID, sec1Curve(block.der()));
        return pkcs8(pkcs8Wrap(algorithm, block.der()), "EC");
      default:
        throw new GeneralSecurityException("unsupported key block " + block.type());
    }
  }

  private static PrivateKey pkcs8(byte[] der, String... algorithms) throws GeneralSecurityException {
    for (String algorithm : algorithms) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException("not a readable " + String.join("/", algorithms) + " private key");
  }

  /** PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING key }. */
  private static byte[] pkcs8Wrap(byte[] algorithm, byte[] key) {
    return Der.sequence(hex("020100"), algorithm, Der.octetString(key));
  }

  /** The named-curve OID of a SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, [0] OID, [1] BIT STRING }. */
  private static byte[] sec1Curve(byte[] der) throws GeneralSecurityException {
    try {
      for (Der.Value e : Der.read(der).expect(Der.SEQUENCE).children()) {
        if (e.tag() == 0xa0) {
          return e.explicit().expect(Der.OID).encoded();
        }
      }
    } catch (Der.MalformedException e) {
      throw new GeneralSecurityException("not a SEC1 EC private key: " + e.getMessage());
    }
    throw new GeneralSecurityException("EC key without named curve parameters");
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
