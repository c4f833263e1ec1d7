package io.tandem.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.AdminConfig;
import io.tandem.config.ListenerConfig;
import io.tandem.config.TlsConfig;
import io.tandem.testing.AdminFixture;
import io.tandem.testing.H3Client;
import io.tandem.testing.TestCerts;
import io.tandem.testing.TestConfigs;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QUIC side of an HTTP/3 listener in the admin API ({@code /api/v1/http3}) and in {@code /metrics}. */
class AdminHttp3Test {
  @TempDir
  Path dir;

  @Test
  void http3ConnectionsAndRequestsShowInTheApiAndTheMetrics() throws Exception {
    TestCerts.Pair cert = TestCerts.create(dir).leaf("a", "a.tandem.test");
    TlsConfig tls = new TlsConfig(List.of(new TlsConfig.CertificateFiles(cert.cert(), cert.key())), null,
        TlsConfig.DEFAULT_PROTOCOLS, List.of(), TlsConfig.DEFAULT_ALPN, TlsConfig.ClientAuth.NONE, null, null,
        TlsConfig.Engine.AUTO, Duration.ofSeconds(5));
    try (AdminFixture f = new AdminFixture(AdminConfig.listen("127.0.0.1", 0, AdminFixture.TOKEN),
        TestConfigs.listener("web").tls(tls).http3(ListenerConfig.Http3.defaults()), TestConfigs.pool("app"),
        UnaryOperator.identity());
        H3Client c = H3Client.connect(new InetSocketAddress("127.0.0.1", f.node.port("web")), "a.tandem.test")) {
      for (int i = 0; i < 3; i++) {
        assertEquals(200, c.get("/x" + i).get(10, TimeUnit.SECONDS).status());
      }
      JsonObject local = f.admin.get("/api/v1/local/http3").json().getJsonObject("listeners").getJsonObject("web");
      assertEquals(f.node.port("web"), local.getInteger("udpPort"));
      assertEquals(1, local.getInteger("open"));
      assertEquals(3, local.getInteger("streams"));
      JsonObject web = f.admin.get("/api/v1/http3").json().getJsonArray("listeners").getJsonObject(0);
      assertEquals("web", web.getString("listener"));
      assertEquals(3, web.getJsonObject("total").getInteger("streams"));
      assertEquals(1, web.getJsonObject("total").getInteger("accepted"));
      String metrics = f.node.metrics().scrape();
      assertTrue(metrics.contains("tandem_http3_connections{listener=\"web\"} 1.0"), metrics);
      assertTrue(metrics.contains("tandem_http3_streams_total{listener=\"web\"} 3.0"), metrics);
      assertTrue(metrics.contains("tandem_http3_new_connections_total{listener=\"web\",result=\"accepted\"} 1.0"),
          metrics);
      assertTrue(metrics.contains("tandem_http3_stateless_resets_total{listener=\"web\"} 0.0"), metrics);
    }
  }
}
