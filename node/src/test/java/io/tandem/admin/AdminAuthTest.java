package io.tandem.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.AdminConfig;
import io.tandem.testing.AdminClient;
import io.tandem.testing.AdminFixture;
import io.tandem.testing.LogCapture;
import io.tandem.testing.TestConfigs;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Bearer tokens, the audit log, and the token never showing up in any log line. */
class AdminAuthTest {
  private static final String B1 = "/api/v1/pools/app/backends/b1";

  @Test
  void changesNeedTheTokenAndARefusedCallChangesNothing() throws Exception {
    try (AdminFixture f = AdminFixture.standard()) {
      AdminClient anonymous = f.admin.withToken(null);
      AdminClient.Answer missing = anonymous.post(B1 + "/drain");
      assertEquals(401, missing.status());
      assertEquals("missing bearer token (Authorization: Bearer <token>)", missing.error());
      assertEquals("Bearer realm=\"tandem-admin\"",
          missing.response().headers().firstValue("www-authenticate").orElseThrow());
      AdminClient.Answer wrong = f.admin.withToken("not-the-token-0123456789").put(B1 + "/weight", "{\"weight\":9}");
      assertEquals(401, wrong.status());
      assertEquals("wrong bearer token", wrong.error());
      AdminClient.Answer basic = f.admin.send("POST", B1 + "/disable", null, "Basic dXNlcjpwYXNz");
      assertEquals(401, basic.status());
      assertEquals("the Authorization header must be Bearer <token>", basic.error());
      AdminClient.Answer prefix = f.admin.withToken(AdminFixture.TOKEN + "x").delete(B1);
      assertEquals("wrong bearer token", prefix.error());
      assertEquals(401, anonymous.post("/api/v1/config/reload").status());

      AdminClient.Answer b1 = f.admin.get(B1);
      assertEquals("enabled", b1.json().getString("adminState"));
      assertEquals(1, b1.json().getInteger("weight"));
      assertEquals(0L, f.admin.get("/api/v1/cluster").json().getLong("stateVersion"));
      // Reads are open by default.
      assertEquals(200, anonymous.get("/api/v1/pools").status());
    }
  }

  @Test
  void readsNeedTheTokenWhenConfigured() throws Exception {
    AdminConfig cfg = AdminConfig.listen("127.0.0.1", 0, AdminFixture.TOKEN).withReadsNeedToken(true);
    try (AdminFixture f = new AdminFixture(cfg, TestConfigs.pool("app"))) {
      AdminClient anonymous = f.admin.withToken(null);
      for (String path : List.of("/api/v1/cluster", "/api/v1/pools", "/api/v1/pools/app", B1, "/api/v1/local/stats",
          "/api/v1/sessions/stats", "/api/v1/sessions?pool=app&key=1", "/api/v1/openapi.yaml", "/metrics")) {
        AdminClient.Answer a = anonymous.get(path);
        assertEquals(401, a.status(), path);
        assertEquals("missing bearer token (Authorization: Bearer <token>)", a.error());
        assertEquals(401, f.admin.withToken("wrong-token-0123456789abc").get(path).status(), path);
      }
      assertEquals(200, f.admin.get("/api/v1/pools").status());
      // Probes and the dashboard stay open.
      assertEquals(200, anonymous.get("/healthz").status());
      assertEquals(200, anonymous.get("/readyz").status());
      assertEquals(200, anonymous.get("/").status());
    }
  }

  @Test
  void withoutAConfiguredTokenNothingCanBeChanged() throws Exception {
    try (AdminFixture f = new AdminFixture(AdminConfig.listen("127.0.0.1", 0, null), TestConfigs.pool("app"))) {
      AdminClient.Answer a = f.admin.withToken("any-token-at-all-0123456").post(B1 + "/drain");
      assertEquals(403, a.status());
      assertEquals("no admin token configured: set admin.token or admin.token-file to allow changes", a.error());
      assertEquals("enabled", f.admin.get(B1).json().getString("adminState"));
    }
  }

  @Test
  void everyChangeIsAuditedAndTheTokenIsNeverLogged() throws Exception {
    try (LogCapture audit = LogCapture.of("tandem.audit");
        LogCapture tandem = LogCapture.of("io.tandem");
        AdminFixture f = AdminFixture.standard()) {
      String fingerprint = Auth.fingerprint(AdminFixture.TOKEN);
      long version = f.admin.put(B1 + "/weight", "{\"weight\": 3}").json().getLong("version");
      f.admin.withToken(null).post(B1 + "/drain");
      f.admin.withToken("wrong-token-0123456789abc").post(B1 + "/disable");
      f.admin.put(B1 + "/weight", "{\"weight\": 300}");

      List<String> lines = audit.lines();
      assertEquals(4, lines.size(), lines.toString());
      String ok = lines.get(0);
      assertTrue(ok.startsWith("INFO who=\"127.0.0.1:"), ok);
      assertTrue(ok.contains(" token:" + fingerprint + "\""), ok);
      assertTrue(ok.contains("what=\"PUT /api/v1/pools/app/backends/b1/weight {'weight': 3}\""), ok);
      assertTrue(ok.matches(".* when=\\d{4}-\\d\\d-\\d\\dT.*Z status=200 version=" + version), ok);
      assertTrue(lines.get(1).contains(" no token\" what=\"POST /api/v1/pools/app/backends/b1/drain\""),
          lines.get(1));
      assertTrue(lines.get(1).endsWith(" status=401"), lines.get(1));
      assertTrue(lines.get(2).contains(" rejected token\" what=\"POST /api/v1/pools/app/backends/b1/disable\""),
          lines.get(2));
      assertTrue(lines.get(3).contains("token:" + fingerprint) && lines.get(3).endsWith(" status=400"),
          lines.get(3));

      List<String> everything = Stream.of(audit, tandem).flatMap(c -> c.lines().stream()).toList();
      assertFalse(everything.isEmpty());
      for (String line : everything) {
        assertFalse(line.contains(AdminFixture.TOKEN), line);
        assertFalse(line.contains("wrong-token-0123456789abc"), line);
      }
    }
  }

  @Test
  void comparisonAndFingerprint() {
    assertTrue(Auth.matches("abc", "abc"));
    assertFalse(Auth.matches("abc", "abd"));
    assertFalse(Auth.matches("ab", "abc"));
    // SHA-256("test-admin-token-0123456789"), first 8 hex digits
    assertEquals(8, Auth.fingerprint(AdminFixture.TOKEN).length());
    assertEquals("ba7816bf", Auth.fingerprint("abc"));
  }
}
