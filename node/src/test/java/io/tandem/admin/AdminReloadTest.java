package io.tandem.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.bootstrap.ConfigSource;
import io.tandem.bootstrap.NodeProcess;
import io.tandem.bootstrap.TandemNode;
import io.tandem.testing.AdminClient;
import io.tandem.testing.AdminFixture;
import io.tandem.testing.FakeBackend;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /api/v1/config/reload goes through the node's own reload path: the file is read again, as on SIGHUP. */
class AdminReloadTest {
  @TempDir
  Path dir;
  private Path file;
  private final Vertx vertx = Vertx.vertx();
  private FakeBackend backend;
  private TandemNode node;
  private AdminClient admin;

  private String yaml(String token, int port) {
    return """
        admin:
          listen: 127.0.0.1:0
          token: %s
        listeners:
          - name: web
            bind: 127.0.0.1:0
            default-pool: app
        pools:
          - name: app
            backends:
              - {id: b1, address: 127.0.0.1:%d}
        """.formatted(token, port);
  }

  @BeforeEach
  void start() throws Exception {
    backend = FakeBackend.start(vertx, "b1");
    file = dir.resolve("tandem.yaml");
    Files.writeString(file, yaml(AdminFixture.TOKEN, backend.port()));
    ConfigSource source = ConfigSource.file(file);
    node = TandemNode.start(source.read()).await(30, TimeUnit.SECONDS);
    new NodeProcess(source, node);
    admin = new AdminClient(node.adminPort(), AdminFixture.TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    node.shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    backend.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void reloadReadsTheFileAgain() throws Exception {
    AdminClient.Answer ok = admin.post("/api/v1/config/reload");
    assertEquals(200, ok.status(), ok.text());
    assertEquals(new JsonObject().put("results", new JsonArray().add(new JsonObject().put("node", "local")
        .put("ok", true))), ok.json());
    assertEquals(new JsonObject().put("node", "local").put("ok", true), admin.post("/api/v1/local/reload").json());
    assertEquals(200, admin.post("/api/v1/config/reload?node=local").status());

    // A new token in the file takes effect at the reload; the old one is refused from then on.
    String next = "rotated-admin-token-9876543210";
    Files.writeString(file, yaml(next, backend.port()));
    assertEquals(200, admin.post("/api/v1/config/reload").status());
    assertEquals("wrong bearer token", admin.post("/api/v1/config/reload").error());
    assertEquals(200, admin.withToken(next).post("/api/v1/config/reload").status());
  }

  @Test
  void aBadFileIsReportedByFileAndFieldAndNothingChanges() throws Exception {
    Files.writeString(file, yaml(AdminFixture.TOKEN, 70000));
    AdminClient.Answer a = admin.post("/api/v1/config/reload");
    assertEquals(422, a.status(), a.text());
    JsonObject result = a.json().getJsonArray("results").getJsonObject(0);
    assertEquals("local", result.getString("node"));
    assertEquals(false, result.getBoolean("ok"));
    assertEquals("1 configuration error(s)", result.getString("error"));
    assertEquals(new JsonArray().add(new JsonObject().put("file", file.toString())
        .put("field", "pools[0].backends[0].address").put("message", "port must be between 1 and 65535, got 70000")),
        result.getJsonArray("errors"));
    assertEquals(backend.address(), admin.get("/api/v1/pools/app/backends/b1").json().getString("address"));
    AdminClient.Answer local = admin.post("/api/v1/local/reload");
    assertEquals(422, local.status());
    assertEquals(result, local.json());
  }

  @Test
  void anUnknownNodeIs404() {
    AdminClient.Answer a = admin.post("/api/v1/config/reload?node=n9");
    assertEquals(404, a.status());
    assertEquals("unknown node \"n9\"", a.error());
    assertEquals("node", a.json().getString("field"));
  }

  @Test
  void aNodeWithoutAConfigurationSourceSaysSo() throws Exception {
    try (AdminFixture f = AdminFixture.standard()) {
      AdminClient.Answer a = f.admin.post("/api/v1/config/reload");
      assertEquals(422, a.status());
      assertEquals(new JsonObject().put("node", "local").put("ok", false).put("errors", new JsonArray())
          .put("error", "this node was started without a configuration source"),
          a.json().getJsonArray("results").getJsonObject(0));
    }
  }
}
