package io.tandem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin section: addresses, token sources, defaults, and every error naming its field. */
class AdminConfigTest {
  private static final String BASE = """
      listeners: [{name: web, bind: "127.0.0.1:8080", default-pool: app}]
      pools: [{name: app, backends: [{id: b1, address: "127.0.0.1:9001"}]}]
      """;
  @TempDir
  Path dir;

  private static TandemConfig parse(String admin) throws ConfigException {
    return ConfigLoader.parse(BASE + admin, "t.yaml");
  }

  private static List<String> errors(String admin) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(admin));
    return e.errors().stream().map(ConfigError::toString).toList();
  }

  @Test
  void noSectionNoListener() throws Exception {
    AdminConfig a = parse("").admin();
    assertFalse(a.enabled());
    assertNull(a.token());
  }

  @Test
  void standaloneListenAndDefaults() throws Exception {
    AdminConfig a = parse("admin: {listen: 9090, token: abcdefghijklmnop}").admin();
    assertEquals("127.0.0.1", a.host());
    assertEquals(9090, a.port());
    assertEquals("abcdefghijklmnop", a.token());
    assertFalse(a.readsNeedToken());
    assertEquals(Duration.ofSeconds(2), a.fanOutTimeout());
    assertEquals(Duration.ofSeconds(5), a.applyTimeout());
    assertFalse(a.toString().contains("abcdefghijklmnop"));
    AdminConfig b = parse("admin: {listen: \"0.0.0.0:0\", reads-need-token: true, token: abcdefghijklmnop, "
        + "fan-out-timeout: 500ms, apply-timeout: 10s}").admin();
    assertEquals("0.0.0.0", b.host());
    assertTrue(b.readsNeedToken());
    assertEquals(Duration.ofMillis(500), b.fanOutTimeout());
    assertEquals(Duration.ofSeconds(10), b.applyTimeout());
  }

  @Test
  void tokenFile() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "  from-a-file-0123456789\n");
    assertEquals("from-a-file-0123456789", parse("admin: {listen: 0, token-file: " + file + "}").admin().token());
    assertEquals(List.of("t.yaml: admin.token-file: cannot read " + dir.resolve("nope") + ": no such file"),
        errors("admin: {listen: 0, token-file: " + dir.resolve("nope") + "}"));
  }

  @Test
  void errorsNameTheFieldAndNeverTheToken() {
    assertEquals(List.of("t.yaml: admin.token: the token must be at least 16 visible ASCII characters without spaces"),
        errors("admin: {listen: 0, token: short}"));
    assertEquals(List.of("t.yaml: admin.token-file: give token or token-file, not both"),
        errors("admin: {listen: 0, token: abcdefghijklmnop, token-file: /x}"));
    assertEquals(List.of("t.yaml: admin.reads-need-token: needs a token or token-file"),
        errors("admin: {listen: 0, reads-need-token: true}"));
    assertEquals(List.of("t.yaml: admin: has no listen address; add listen: 127.0.0.1:9090"),
        errors("admin: {token: abcdefghijklmnop}"));
    assertEquals(List.of("t.yaml: admin.listen: port must be between 0 and 65535, got 70000"),
        errors("admin: {listen: 70000}"));
    assertEquals(List.of("t.yaml: admin.tls.key: is required", "t.yaml: admin.tls.cert: cannot read /no/cert.pem"),
        errors("admin: {listen: 0, tls: {cert: /no/cert.pem}}"));
    assertEquals(List.of("t.yaml: admin: unknown key \"tokn\"; expected one of: listen, token, token-file, "
        + "reads-need-token, tls, fan-out-timeout, apply-timeout"), errors("admin: {listen: 0, tokn: x}"));
    assertEquals(List.of("t.yaml: admin.listen: 127.0.0.1:8080 conflicts with listener \"web\" bound to 127.0.0.1:8080"),
        errors("admin: {listen: \"127.0.0.1:8080\"}"));
  }

  @Test
  void aClusterNodeUsesItsNodesEntry() throws Exception {
    String cluster = """
        cluster: {name: c}
        nodes:
          - {id: n1, cluster: "127.0.0.1:5701", admin: "127.0.0.1:19091"}
          - {id: n2, cluster: "127.0.0.1:5702"}
        """;
    AdminConfig a = ConfigLoader.parse(BASE + cluster + "admin: {token: abcdefghijklmnop}", "c.yaml", "n1").admin();
    assertEquals("127.0.0.1", a.host());
    assertEquals(19091, a.port());
    assertFalse(ConfigLoader.parse(BASE + cluster, "c.yaml", "n2").admin().enabled());
    ConfigException none = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(BASE + cluster + "admin: {token: abcdefghijklmnop}", "c.yaml", "n2"));
    assertEquals("c.yaml: admin: node n2 has no admin address; add admin: host:port to its nodes[] entry",
        none.errors().get(0).toString());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(BASE + cluster + "admin: {listen: 9090}", "c.yaml", "n1"));
    assertEquals("c.yaml: admin.listen: a cluster node's admin address is its nodes[].admin entry; remove admin.listen",
        e.errors().get(0).toString());
  }
}
