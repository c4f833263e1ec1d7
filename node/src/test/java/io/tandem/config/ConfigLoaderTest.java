package io.tandem.config;

import static io.tandem.config.ConfigTexts.LISTENER;
import static io.tandem.config.ConfigTexts.POOL;
import static io.tandem.config.ConfigTexts.errors;
import static io.tandem.config.ConfigTexts.parses;
import static io.tandem.config.ConfigTexts.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void fillsInDefaults() {
    TandemConfig config = parses(LISTENER + POOL);
    assertNull(config.source());
    assertEquals(NodeSettings.DEFAULTS, config.node());
    assertEquals(AccessLogConfig.DEFAULTS, config.accessLog());

    ListenerConfig listener = config.listeners().get(0);
    assertEquals(new ListenerConfig("web", "127.0.0.1", 8080, Protocol.HTTP, "app", List.of(), 10_000,
        ListenerConfig.Timeouts.DEFAULTS, ListenerConfig.Limits.DEFAULTS, false), listener);

    PoolConfig pool = config.pools().get(0);
    assertEquals(new PoolConfig("app", Algorithm.ROUND_ROBIN, null,
        List.of(new BackendConfig("127.0.0.1:9001", "127.0.0.1", 9001, 1, 0)), new HealthConfig(null, null),
        PoolConfig.Queue.DEFAULTS, PersistenceConfig.NONE, PoolConfig.Retries.DEFAULTS, PoolConfig.Timeouts.DEFAULTS,
        256), pool);
  }

  @Test
  void emptySectionsTakeTheirDefaults() {
    PoolConfig pool = parses(pool("""
        health: {active: {}, passive: {}}
        persistence: {type: cookie}
        """)).pools().get(0);
    assertEquals(new HealthConfig.Active(HealthConfig.CheckType.HTTP, "GET", "/health", null, 200, 399, null,
        Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3), pool.health().active());
    assertEquals(new HealthConfig.Passive(5, Duration.ofSeconds(30), 50), pool.health().passive());
    assertEquals(new PersistenceConfig(PersistenceConfig.Type.COOKIE, new PersistenceConfig.Cookie("TANDEM_SERVER",
        "/", null, false, true, PersistenceConfig.SameSite.LAX, null), null), pool.persistence());

    PoolConfig sourceAddress = parses(pool("persistence: {type: source-address}\nhealth: {active: {type: tcp}}"))
        .pools().get(0);
    assertEquals(new PersistenceConfig(PersistenceConfig.Type.SOURCE_ADDRESS, null, Duration.ofMinutes(30)),
        sourceAddress.persistence());
    assertEquals(new HealthConfig.Active(HealthConfig.CheckType.TCP, null, null, null, 0, 0, null,
        Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3), sourceAddress.health().active());
  }

  @Test
  void grpcChecksTakeTheServiceAndThePoolsBackendTls() {
    HealthConfig.Active whole = parses(pool("health: {active: {type: grpc}}")).pools().get(0).health().active();
    assertEquals(HealthConfig.Active.grpc("", null, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3), whole);

    PoolConfig named = parses(pool("""
        tls: {trust-all: true, server-name: api.internal}
        health: {active: {type: grpc, service: my.pkg.Echo, interval: 5s, timeout: 250ms, rise: 1, fall: 4}}
        """)).pools().get(0);
    assertEquals(HealthConfig.Active.grpc("my.pkg.Echo", new BackendTlsConfig(null, "api.internal", true),
        Duration.ofSeconds(5), Duration.ofMillis(250), 1, 4), named.health().active());
    assertEquals(named.tls(), named.health().active().tls());

    HealthConfig.Active http = parses(pool("tls: {trust-all: true}\nhealth: {active: {}}")).pools().get(0).health()
        .active();
    assertNull(http.tls(), "an http check stays plain");
    assertNull(http.service());
  }

  @Test
  void explicitNullMeansDefault() {
    TandemConfig config = parses(LISTENER + POOL + "node: {event-loops: null}\naccess-log: null\n");
    assertEquals(NodeSettings.DEFAULTS, config.node());
    assertEquals(AccessLogConfig.DEFAULTS, config.accessLog());
  }

  @Test
  void readsEverySetting() {
    TandemConfig config = parses("""
        node: {event-loops: 4, drain-timeout: 1m30s, transport: io-uring}
        access-log: {enabled: false}
        listeners:
          - name: web
            bind: "[::1]:8080"
            protocol: http
            default-pool: app
            max-connections: 500
            trust-forwarded: true
            timeouts: {request-header: 5s, request-body: 20s, idle: 2m}
            limits: {max-uri-length: 4KiB, max-header-size: 8192, max-body-size: 1MiB}
            routes:
              - name: video
                match: {path-prefix: /video/}
                pool: video
              - match: {hosts: [Billing.Example.com, "*.billing.example.com"], methods: [GET, POST],
                         path-regex: "^/billing(/|$)", headers: [{name: X-Tier, value: gold}, {name: X-Debug},
                         {name: X-Version, regex: "^2"}], cookies: [{name: beta, value: "1"}, {name: seen}]}
                pool: video
        pools:
          - name: app
            algorithm: consistent-hash
            hash-key: {header: X-User}
            connection-pool-size: 64
            backends:
              - {id: a1, address: 127.0.0.1:19001, weight: 3, max-connections: 10}
              - {address: "backend.local:19002"}
            health:
              active: {type: http, method: HEAD, path: /ping, host: app.local, expect-status: 204,
                       expect-body: pong, interval: 3s, timeout: 250ms, rise: 1, fall: 4}
              passive: {consecutive-failures: 2, ejection-time: 10s, max-ejection-percent: 0}
            queue: {max-size: 0, timeout: 1s}
            persistence:
              type: cookie
              cookie: {name: SRV, path: /app, max-age: 1d, secure: true, http-only: false, same-site: none,
                       secret: s3cret}
            retries: {connect-attempts: 1, retry-idempotent: true}
            timeouts: {connect: 1s, response: 5s, idle: 30s}
          - name: video
            algorithm: source-hash
            backends: [{address: 127.0.0.1:19003}]
            persistence: {type: source-address, idle-timeout: 5m}
        """);

    assertEquals(new NodeSettings(4, Duration.ofSeconds(90), NodeSettings.Transport.IO_URING), config.node());
    assertEquals(new AccessLogConfig(false), config.accessLog());

    ListenerConfig listener = config.listeners().get(0);
    assertEquals("web ::1 8080 HTTP app 500 true",
        String.join(" ", listener.name(), listener.host(), "" + listener.port(), listener.protocol().name(),
            listener.defaultPool(), "" + listener.maxConnections(), "" + listener.trustForwarded()));
    assertEquals(new ListenerConfig.Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofMinutes(2)),
        listener.timeouts());
    assertEquals(new ListenerConfig.Limits(4096, 8192, 1 << 20), listener.limits());
    // Pattern has no equals(), so routes are compared through their text form.
    assertEquals(List.of(
        "RouteConfig[name=video, match=Match[hosts=[], pathPrefix=/video/, pathRegex=null, methods=[], headers=[],"
            + " cookies=[], sni=[]], pool=video, split=[], mirror=null, actions=[], errorPages={}]",
        "RouteConfig[name=null, match=Match[hosts=[billing.example.com, *.billing.example.com], pathPrefix=null,"
            + " pathRegex=^/billing(/|$), methods=[GET, POST], headers=[HeaderMatch[name=X-Tier, value=gold,"
            + " regex=null], HeaderMatch[name=X-Debug, value=null, regex=null], HeaderMatch[name=X-Version,"
            + " value=null, regex=^2]], cookies=[CookieMatch[name=beta, value=1], CookieMatch[name=seen,"
            + " value=null]], sni=[]], pool=video, split=[], mirror=null, actions=[], errorPages={}]"),
        listener.routes().stream().map(RouteConfig::toString).toList());

    PoolConfig app = config.pools().get(0);
    assertEquals(new PoolConfig("app", Algorithm.CONSISTENT_HASH, new HashKey(HashKey.Source.HEADER, "X-User"),
        List.of(new BackendConfig("a1", "127.0.0.1", 19001, 3, 10),
            new BackendConfig("backend.local:19002", "backend.local", 19002, 1, 0)),
        new HealthConfig(
            new HealthConfig.Active(HealthConfig.CheckType.HTTP, "HEAD", "/ping", "app.local", 204, 204, "pong",
                Duration.ofSeconds(3), Duration.ofMillis(250), 1, 4),
            new HealthConfig.Passive(2, Duration.ofSeconds(10), 0)),
        new PoolConfig.Queue(0, Duration.ofSeconds(1)),
        new PersistenceConfig(PersistenceConfig.Type.COOKIE, new PersistenceConfig.Cookie("SRV", "/app",
            Duration.ofDays(1), true, false, PersistenceConfig.SameSite.NONE, "s3cret"), null),
        new PoolConfig.Retries(1, true),
        new PoolConfig.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)),
        64), app);

    PoolConfig video = config.pools().get(1);
    assertEquals(Algorithm.SOURCE_HASH, video.algorithm());
    assertEquals(new PersistenceConfig(PersistenceConfig.Type.SOURCE_ADDRESS, null, Duration.ofMinutes(5)),
        video.persistence());
  }

  @Test
  void hashKeyFromCookieOrPath() {
    assertEquals(new HashKey(HashKey.Source.COOKIE, "uid"),
        parses(pool("algorithm: consistent-hash\nhash-key: {cookie: uid}")).pools().get(0).hashKey());
    assertEquals(new HashKey(HashKey.Source.PATH, null),
        parses(pool("algorithm: consistent-hash\nhash-key: {path: true}")).pools().get(0).hashKey());
  }

  @Test
  void parsesDurations() {
    JsonNodeFactory json = JsonNodeFactory.instance;
    assertEquals(Duration.ofMillis(500), Scalars.duration(json.textNode("500ms")));
    assertEquals(Duration.ofSeconds(2), Scalars.duration(json.textNode("2s")));
    assertEquals(Duration.ofMinutes(1), Scalars.duration(json.textNode("1m")));
    assertEquals(Duration.ofHours(1), Scalars.duration(json.textNode("1h")));
    assertEquals(Duration.ofDays(2), Scalars.duration(json.textNode("2d")));
    assertEquals(Duration.ofSeconds(90), Scalars.duration(json.textNode("1m30s")));
    assertEquals(Duration.ofMillis(1_500), Scalars.duration(json.textNode("1s500ms")));
    assertEquals(Duration.ofSeconds(1), parses(pool("timeouts: {connect: 1000ms}")).pools().get(0).timeouts().connect());
  }

  @Test
  void reportsEveryErrorAtOnce() {
    // The same three mistakes as in the README's example output.
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
        listeners:
          - name: web
            bind: localhost
            routes: [{match: {path-prefix: /video/}, pool: vidoe}]
            default-pool: web
        pools:
          - name: web
            backends: [{id: w1, address: 127.0.0.1:9001}, {id: w2, address: 127.0.0.1:9002, weigth: 2}]
          - name: video
            backends: [{id: v1, address: 127.0.0.1:9003}]
        """, "tandem.yaml"));
    assertEquals(3, e.errors().size());
    String readmeSample = ConfigFilesTest.readmeBlocks("text").stream().filter(b -> b.contains("configuration error"))
        .findFirst().orElseThrow().strip();
    assertEquals(readmeSample, e.getMessage().strip());
  }

  @Test
  void syntaxErrorsNameLineAndColumn() {
    assertEquals(List.of("YAML syntax error at line 3, column 5: expected <block end>, but found '-'"), errors("""
        listeners:
          - name: web
            - bind: 127.0.0.1:8080
        """));
    assertEquals(List.of("YAML syntax error at line 2, column 1: found character '\\t(TAB)' that cannot start any"
        + " token. (Do not use \\t(TAB) for indentation)"), errors("pools:\n\t- name: a\n"));
    assertEquals(List.of("YAML syntax error at line 3, column 9: Duplicate field 'name'"),
        errors("pools:\n  - name: a\n    name: b\n"));
    assertEquals(List.of("holds more than one YAML document (---); put the whole configuration in one"),
        errors(LISTENER + POOL + "---\n" + LISTENER));
  }

  @Test
  void loadNamesTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(file, LISTENER + POOL);
    TandemConfig config = assertDoesNotThrowConfig(file);
    assertEquals(file, config.source());

    Files.writeString(file, LISTENER);
    ConfigException invalid = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertEquals(List.of(new ConfigError(file.toString(), "pools", "at least one pool is required")),
        invalid.errors());
    assertEquals("1 configuration error(s):\n  " + file + ": pools: at least one pool is required",
        invalid.getMessage());
  }

  @Test
  void loadReportsUnreadableFiles(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.yaml");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
    assertEquals(List.of(new ConfigError(missing.toString(), "", "file not found")), e.errors());

    Path binary = dir.resolve("binary.yaml");
    Files.write(binary, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});
    e = assertThrows(ConfigException.class, () -> ConfigLoader.load(binary));
    assertEquals(List.of(new ConfigError(binary.toString(), "", "is not UTF-8 text")), e.errors());

    e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
    assertEquals(1, e.errors().size());
    assertTrue(e.errors().get(0).message().startsWith("cannot read the file: java.io.IOException"),
        e.errors().get(0).message());
  }

  private static TandemConfig assertDoesNotThrowConfig(Path file) {
    try {
      return ConfigLoader.load(file);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
