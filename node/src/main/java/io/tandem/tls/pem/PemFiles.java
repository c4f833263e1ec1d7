package io.tandem.tls.pem;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Loads and checks PEM certificate chains and private keys, before anything is handed to a TLS engine, so that a bad
 * file is refused with a message naming the file and the problem rather than failing handshakes later.
 *
 * <p>Example: {@code PemFiles.load(Path.of("a.crt"), Path.of("a.key"), Instant.now())} gives the key and chain, or
 * throws {@link CertificateProblem} such as {@code a.key: does not match the certificate in a.crt}.
 */
public final class PemFiles {
  private PemFiles() {}

  /** A key and its chain, checked: readable, matching, and valid at {@code now}. */
  public static KeyCertificate load(Path certFile, Path keyFile, Instant now) throws CertificateProblem {
    List<X509Certificate> chain = certificates(certFile, "cert", "certificate");
    PrivateKey key = key(keyFile);
    X509Certificate leaf = chain.get(0);
    if (!matches(key, leaf.getPublicKey())) {
      throw new CertificateProblem("key", keyFile + ": does not match the certificate in " + certFile + " ("
          + subject(leaf) + ")");
    }
    checkValidity(certFile, "cert", leaf, now);
    return new KeyCertificate(key, chain, names(leaf));
  }

  /** The certificates of a CA bundle (trusted roots for client or backend verification), each valid at {@code now}. */
  public static List<X509Certificate> caBundle(Path file, String field, Instant now) throws CertificateProblem {
    List<X509Certificate> cas = certificates(file, field, "CA certificate");
    for (X509Certificate ca : cas) {
      checkValidity(file, field, ca, now);
    }
    return cas;
  }

  /** The file's bytes; {@code field} names the configuration field in the problem. */
  public static byte[] read(Path file, String field) throws CertificateProblem {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CertificateProblem(field, file + ": file not found");
    } catch (IOException e) {
      throw new CertificateProblem(field, file + ": cannot read: " + e.getMessage());
    }
  }

  private static List<X509Certificate> certificates(Path file, String field, String what) throws CertificateProblem {
    PemBlocks pem = blocks(file, field);
    List<PemBlocks.Block> blocks = pem.ofType("CERTIFICATE");
    if (blocks.isEmpty()) {
      throw new CertificateProblem(field, file + ": no PEM " + what + " (-----BEGIN CERTIFICATE-----) found");
    }
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (PemBlocks.Block b : blocks) {
        Collection<? extends java.security.cert.Certificate> certs =
            factory.generateCertificates(new ByteArrayInputStream(b.der()));
        for (java.security.cert.Certificate c : certs) {
          chain.add((X509Certificate) c);
        }
      }
    } catch (CertificateException | RuntimeException e) {
      throw new CertificateProblem(field, file + ": not a valid X.509 " + what + ": " + e.getMessage());
    }
    return chain;
  }

  private static PrivateKey key(Path file) throws CertificateProblem {
    PemBlocks pem = blocks(file, "key");
    PemBlocks.Block found = null;
    for (PemBlocks.Block b : pem.blocks()) {
      if (b.type().contains("ENCRYPTED")) {
        throw new CertificateProblem("key", file + ": the private key is encrypted; Tandem needs it unencrypted "
            + "(openssl pkey -in KEY -out PLAIN), protected by file permissions");
      }
      if (b.type().endsWith("PRIVATE KEY")) {
        found = b;
        break;
      }
    }
    if (found == null) {
      throw new CertificateProblem("key", file + ": no PEM private key (-----BEGIN PRIVATE KEY-----) found");
    }
    try {
      return PrivateKeys.parse(found);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new CertificateProblem("key", file + ": not a valid private key (" + found.type() + "): "
          + e.getMessage());
    }
  }

  private static PemBlocks blocks(Path file, String field) throws CertificateProblem {
    byte[] bytes = read(file, field);
    try {
      return PemBlocks.parse(bytes);
    } catch (IllegalArgumentException e) {
      throw new CertificateProblem(field, file + ": " + e.getMessage());
    }
  }

  private static void checkValidity(Path file, String field, X509Certificate cert, Instant now)
      throws CertificateProblem {
    Instant notAfter = cert.getNotAfter().toInstant();
    Instant notBefore = cert.getNotBefore().toInstant();
    if (now.isAfter(notAfter)) {
      throw new CertificateProblem(field, file + ": certificate expired on " + notAfter + " (" + subject(cert) + ")");
    }
    if (now.isBefore(notBefore)) {
      throw new CertificateProblem(field, file + ": certificate is not valid before " + notBefore + " ("
          + subject(cert) + ")");
    }
  }

  /** Whether the private key belongs to the public key: same RSA modulus, or a signature that verifies. */
  private static boolean matches(PrivateKey key, PublicKey pub) {
    if (key instanceof RSAKey rk && pub instanceof RSAKey rp) {
      BigInteger a = rk.getModulus();
      return a.equals(rp.getModulus());
    }
    if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
      return false;
    }
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm();   // Ed25519, Ed448, EdDSA sign without a separate digest
    };
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(challenge);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(pub);
      v.update(challenge);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static String subject(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName();
  }

  /** DNS subject alternative names, else the subject's common name; lower case. */
  static List<String> names(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0))) {
            names.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateException e) {
      // unreadable extension: fall back to the common name
    }
    if (names.isEmpty()) {
      for (String part : cert.getSubjectX500Principal().getName().split(",")) {
        if (part.startsWith("CN=")) {
          names.add(part.substring(3).toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }
}
