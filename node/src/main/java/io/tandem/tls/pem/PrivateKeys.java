package io.tandem.tls.pem;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;

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
        byte[] algorithm = sequence(concat(EC_PUBLIC_KEY_OID, sec1Curve(block.der())));
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
    return sequence(concat(hex("020100"), algorithm, tlv(0x04, key)));
  }

  /** The named-curve OID of a SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, [0] OID, [1] BIT STRING }. */
  private static byte[] sec1Curve(byte[] der) throws GeneralSecurityException {
    Der outer = new Der(der, 0);
    Der inner = outer.firstChild();
    for (Der e = inner; e != null; e = e.next(outer.end())) {
      if (e.tag() == 0xa0) {
        Der oid = e.firstChild();
        return Arrays.copyOfRange(der, oid.start(), oid.end());
      }
    }
    throw new GeneralSecurityException("EC key without named curve parameters");
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  /** One DER element at {@code start}: tag, header length and content bounds. */
  private record Der(byte[] der, int start, int tag, int contentStart, int end) {
    Der(byte[] der, int start) {
      this(der, start, der[start] & 0xff, contentStart(der, start), contentStart(der, start) + length(der, start));
    }

    private static int lengthBytes(byte[] der, int start) {
      int first = der[start + 1] & 0xff;
      return first < 0x80 ? 0 : first & 0x7f;
    }

    private static int contentStart(byte[] der, int start) {
      return start + 2 + lengthBytes(der, start);
    }

    private static int length(byte[] der, int start) {
      int first = der[start + 1] & 0xff;
      if (first < 0x80) {
        return first;
      }
      int n = 0;
      for (int i = 0; i < (first & 0x7f); i++) {
        n = (n << 8) | (der[start + 2 + i] & 0xff);
      }
      return n;
    }

    Der firstChild() {
      return contentStart < end ? new Der(der, contentStart) : null;
    }

    Der next(int limit) {
      return end < limit ? new Der(der, end) : null;
    }
  }
}
