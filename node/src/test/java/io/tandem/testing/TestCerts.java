package io.tandem.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made with the {@code openssl} command (skipped, by a JUnit assumption naming it, where it is
 * missing): one test CA and leaf certificates it signs, EC P-256 keys unless RSA is asked for. Example:
 * <pre>{@code
 * TestCerts certs = TestCerts.create(tempDir);
 * TestCerts.Pair a = certs.leaf("a", "a.tandem.test");           // a.crt (leaf + CA chain) and a.key
 * }</pre>
 */
public final class TestCerts {
  private final Path dir;
  private final Path caCert;
  private final Path caKey;

  /** A certificate file (leaf, then the CA) and its key file. */
  public record Pair(Path cert, Path key) {}

  private TestCerts(Path dir) {
    this.dir = dir;
    this.caCert = dir.resolve("ca.crt");
    this.caKey = dir.resolve("ca.key");
  }

  /** Requires {@code openssl} (assumption); creates the CA in {@code dir}. */
  public static TestCerts create(Path dir) {
    assumeTrue(available("openssl"), "openssl is not installed; TLS tests need it to make test certificates");
    TestCerts certs = new TestCerts(dir);
    certs.ca("ca", "Tandem Test CA");
    return certs;
  }

  /** Whether {@code command} is on the PATH. */
  public static boolean available(String command) {
    for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!p.isEmpty() && Files.isExecutable(Path.of(p, command))) {
        return true;
      }
    }
    return false;
  }

  public Path caCert() {
    return caCert;
  }

  /** Another CA (for "unknown issuer" cases): {@code name.crt} and {@code name.key}. */
  public Pair ca(String name, String cn) {
    Pair p = new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", p.key().toString(), "-out", p.cert().toString(), "-days", "3650", "-subj", "/CN=" + cn,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return p;
  }

  /** A leaf for {@code names} (the first is the CN), valid ten years, EC key. */
  public Pair leaf(String file, String... names) {
    return leaf(file, "ec", 3650, names);
  }

  /**
   * A leaf signed by the test CA. {@code keyType} is {@code ec} or {@code rsa}; {@code days} -1 makes an expired one.
   * The certificate file holds the leaf and the CA (a chain).
   */
  public Pair leaf(String file, String keyType, int days, String... names) {
    return leaf(file, keyType, days, List.of(), names);
  }

  /**
   * An EC leaf whose Authority Information Access names {@code ocspUrl} as its OCSP responder (e.g.
   * {@code http://127.0.0.1:4567}), valid ten years.
   */
  public Pair leafWithOcsp(String file, String ocspUrl, String... names) {
    return leaf(file, "ec", 3650, List.of("authorityInfoAccess=OCSP;URI:" + ocspUrl), names);
  }

  /** The CA's key file (to sign OCSP responses with, in tests that run a responder). */
  public Path caKey() {
    return caKey;
  }

  private Pair leaf(String file, String keyType, int days, List<String> extensions, String... names) {
    Path key = dir.resolve(file + ".key");
    Path csr = dir.resolve(file + ".csr");
    Path leaf = dir.resolve(file + ".leaf.crt");
    Path cert = dir.resolve(file + ".crt");
    List<String> req = new ArrayList<>(List.of("openssl", "req", "-newkey"));
    if (keyType.equals("rsa")) {
      req.addAll(List.of("rsa:2048"));
    } else {
      req.addAll(List.of("ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
    }
    StringBuilder san = new StringBuilder("subjectAltName=");
    for (int i = 0; i < names.length; i++) {
      san.append(i == 0 ? "" : ",").append("DNS:").append(names[i]);
    }
    req.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + names[0],
        "-addext", san.toString()));
    for (String extension : extensions) {
      req.addAll(List.of("-addext", extension));
    }
    run(req.toArray(String[]::new));
    run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
        "-set_serial", Long.toString(System.nanoTime()), "-days", Integer.toString(days),
        "-copy_extensions", "copyall", "-out", leaf.toString());
    try {
      Files.write(cert, concat(Files.readAllBytes(leaf), Files.readAllBytes(caCert)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Pair(cert, key);
  }

  /** A client certificate (for mTLS) signed by the test CA. */
  public Pair client(String file, String cn) {
    return leaf(file, cn);
  }

  /** Rewrites {@code key} in the legacy PKCS#1 / SEC1 form ({@code BEGIN RSA/EC PRIVATE KEY}). */
  public Path traditionalKey(Path key, String file) {
    Path out = dir.resolve(file);
    run("openssl", "pkey", "-in", key.toString(), "-out", out.toString(), "-traditional");
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** Runs a command, failing with its output when it does not exit 0. */
  public static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
