package io.tandem.health;

import static io.tandem.health.GrpcProbeTest.backend;
import static io.tandem.health.GrpcProbeTest.grpc;
import static io.tandem.health.GrpcProbeTest.grpcServer;
import static io.tandem.health.GrpcProbeTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tandem.config.BackendTlsConfig;
import io.tandem.testing.TestCerts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GrpcProbe over TLS with ALPN h2, against grpc-java's health service with a certificate of the test CA. */
class GrpcProbeTlsTest {
  private static final String NAME = "grpc.tandem.test";

  @TempDir
  static Path dir;
  private static TestCerts certs;
  private static Vertx vertx;
  private static Probes probes;
  private static Server grpc;
  private static int http1OnlyPort;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.create(dir);
    TestCerts.Pair server = certs.leaf("server", NAME);
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("my.pkg.Sick", ServingStatus.NOT_SERVING);
    grpc = grpcServer().sslContext(GrpcSslContexts.forServer(server.cert().toFile(), server.key().toFile()).build())
        .addService(health.getHealthService()).build().start();
    vertx = Vertx.vertx();
    probes = new Probes(vertx);
    http1OnlyPort = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(false)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(server.cert().toString())
                .setKeyPath(server.key().toString())))
        .requestHandler(req -> req.response().end("HTTP/1.1 over TLS"))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    probes.close();
    grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static ProbeResult probe(String service, BackendTlsConfig tls, int port) throws Exception {
    return run(probes, grpc(service, tls), backend("127.0.0.1", port));
  }

  @Test
  void servingOverTlsWithTheCaAndServerName() throws Exception {
    BackendTlsConfig tls = new BackendTlsConfig(certs.caCert(), NAME, false);
    ProbeResult r = probe("", tls, grpc.getPort());
    assertEquals("status SERVING", r.detail());
    assertTrue(r.ok());
    ProbeResult sick = probe("my.pkg.Sick", tls, grpc.getPort());
    assertEquals("status NOT_SERVING", sick.detail());
    assertFalse(sick.ok());
  }

  @Test
  void trustAllAcceptsAnyCertificate() throws Exception {
    ProbeResult r = probe("", new BackendTlsConfig(null, null, true), grpc.getPort());
    assertEquals("status SERVING", r.detail());
    assertTrue(r.ok());
  }

  @Test
  void aCertificateForAnotherNameFails() throws Exception {
    ProbeResult r = probe("", new BackendTlsConfig(certs.caCert(), "other.tandem.test", false), grpc.getPort());
    assertFalse(r.ok());
    assertTrue(r.detail().startsWith("TLS handshake failed: ") && r.detail().contains("other.tandem.test"), r.detail());
  }

  @Test
  void aCertificateOfAnUnknownCaFails() throws Exception {
    Path stranger = certs.ca("stranger-ca", "Stranger CA").cert();
    ProbeResult r = probe("", new BackendTlsConfig(stranger, NAME, false), grpc.getPort());
    assertFalse(r.ok());
    assertTrue(r.detail().startsWith("TLS handshake failed: ") && r.detail().contains("certification path"),
        r.detail());
  }

  @Test
  void aTlsServerWithoutHttp2Fails() throws Exception {
    ProbeResult r = probe("", new BackendTlsConfig(certs.caCert(), NAME, false), http1OnlyPort);
    assertFalse(r.ok());
    assertEquals("the backend did not agree to HTTP/2 (ALPN chose HTTP_1_1)", r.detail());
  }

  @Test
  void aCaFileThatNoLongerLoadsFailsEveryProbeWithTheReason() throws Exception {
    Path broken = dir.resolve("broken-ca.crt");
    Files.writeString(broken, "not a certificate");
    ProbeResult r = probe("", new BackendTlsConfig(broken, NAME, false), grpc.getPort());
    assertFalse(r.ok());
    assertTrue(r.detail().startsWith("backend TLS ca: "), r.detail());
  }
}
