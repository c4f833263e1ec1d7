package io.tandem.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.AdminConfig;
import io.tandem.testing.TestCerts;
import io.tandem.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tandem ctl} against a real HTTPS admin listener whose certificate a private test CA signed. */
class CtlHttpsTest {
  private static final String TOKEN = "ctl-https-token-0123456789";

  @TempDir
  Path dir;

  private TestCerts certs;
  private TandemNode node;
  private String url;

  @BeforeEach
  void start() throws Exception {
    certs = TestCerts.create(dir);
    TestCerts.Pair server = certs.leaf("admin", "localhost");
    AdminConfig admin = new AdminConfig("127.0.0.1", 0, TOKEN, false, new AdminConfig.Tls(server.cert(), server.key()),
        AdminConfig.DEFAULT_FAN_OUT_TIMEOUT, AdminConfig.DEFAULT_APPLY_TIMEOUT);
    node = TandemNode.start(TestConfigs.config(1, TestConfigs.listener("web"),
        TestConfigs.pool("app").backend("b1", 9)).withAdmin(admin)).await(30, TimeUnit.SECONDS);
    url = "https://localhost:" + node.adminPort();
  }

  @AfterEach
  void stop() throws Exception {
    node.shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
  }

  private CtlCommandTest.Run ctl(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "--admin";
    all[1] = url;
    System.arraycopy(args, 0, all, 2, args.length);
    all[all.length - 1] = "pools";
    return CtlCommandTest.run(env, all);
  }

  @Test
  void withoutTheCaTheCertificateIsNotTrusted() {
    assertEquals(new CtlCommandTest.Run(CtlCommand.UNREACHABLE, "", "tandem ctl: cannot reach the admin API at " + url
        + ": its certificate is not trusted (not signed by a CA in the JVM's trust store; give the CA with --cacert)\n"),
        ctl(Map.of()));
  }

  @Test
  void theCaFromTheOptionOrTheEnvironmentIsTrusted() {
    CtlCommandTest.Run option = ctl(Map.of(), "--cacert", certs.caCert().toString());
    assertEquals(CtlCommand.OK, option.code(), option.err());
    assertTrue(option.out().contains("\napp "), option.out());

    CtlCommandTest.Run env = ctl(Map.of(CtlCommand.CACERT_ENV, certs.caCert().toString()));
    assertEquals(CtlCommand.OK, env.code(), env.err());
    assertEquals(option.out(), env.out());
  }

  @Test
  void anotherCaIsNotEnough() {
    Path other = certs.ca("other", "Another Test CA").cert();

    assertEquals(new CtlCommandTest.Run(CtlCommand.UNREACHABLE, "", "tandem ctl: cannot reach the admin API at " + url
        + ": its certificate is not signed by a CA in " + other + "\n"),
        ctl(Map.of(), "--cacert", other.toString()));
  }

  @Test
  void aMissingOrNonPemCaFileIsAUsageErrorNamingTheFile() throws Exception {
    Path missing = dir.resolve("missing.pem");
    CtlCommandTest.Run noFile = ctl(Map.of(), "--cacert", missing.toString());
    assertEquals(CtlCommand.USAGE, noFile.code());
    assertTrue(noFile.err().startsWith("cannot use --cacert " + missing + ": file not found\n"), noFile.err());

    Path text = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
    CtlCommandTest.Run notPem = ctl(Map.of(CtlCommand.CACERT_ENV, text.toString()));
    assertEquals(CtlCommand.USAGE, notPem.code());
    assertTrue(notPem.err().startsWith("cannot use " + CtlCommand.CACERT_ENV + " " + text
        + ": no PEM CA certificate (-----BEGIN CERTIFICATE-----) found\n"), notPem.err());
  }
}
