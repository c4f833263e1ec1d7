package io.tandem.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.affinity.CookieTokens;
import io.tandem.affinity.Cookies;
import io.tandem.config.ConfigException;
import io.tandem.config.ConfigLoader;
import io.vertx.core.MultiMap;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * Property-based tests (jqwik) of the parsers that read untrusted or operator input: the configuration loader, the
 * cookie parser, the cookie tokens and the request-key helpers. None may throw anything but a clear validation
 * error. (The admin API's inputs and the PROXY-protocol parser are being written elsewhere and are not covered here.)
 */
class ParserFuzzTest {
  private static final String VALID = """
      listeners:
        - name: web
          bind: 127.0.0.1:8080
          max-connections-per-client: 50
          limits: {max-header-count: 64, max-body-size: 1MiB}
          timeouts: {request-header: 5s}
          rate-limits:
            - {name: limited, match: {path-prefix: /limited, host: a.example.com}, key: source, rate: 50, burst: 10}
            - {name: api, key: "header:X-Api-Key", rate: 600, period: 1m, max-keys: 100}
          routes:
            - match: {path-prefix: /v, hosts: ["*.example.com"], headers: [{name: X-T, regex: "^a+$"}]}
              pool: app
      pools:
        - name: app
          algorithm: consistent-hash
          hash-key: {cookie: SID}
          backends: [{id: a, address: 127.0.0.1:9001, weight: 2, max-connections: 10}]
          slow-start: 30s
          circuit-breaker: {consecutive-failures: 5, open-time: 2s}
          retry-budget: {percent: 20, min-retries: 3}
          health: {active: {path: /h, interval: 1s}, passive: {}}
          persistence: {type: cookie, cookie: {name: S, secret: x}}
      """;

  /** A valid configuration with a few characters replaced, inserted or deleted. */
  @Provide
  Arbitrary<String> mutatedConfigs() {
    Arbitrary<Integer> position = Arbitraries.integers().between(0, VALID.length() - 1);
    Arbitrary<Character> ch = Arbitraries.of(':', '-', ' ', '\n', '{', '}', '[', ']', '"', '\'', '0', 'x', '*', '&',
        '!', '#', '\t', '%', '@', '|', '>', '\u00e9', '\u0000');
    Arbitrary<int[]> edit = Combinators.combine(position, ch, Arbitraries.integers().between(0, 2))
        .as((p, c, op) -> new int[] {p, c, op});
    return edit.list().ofMinSize(1).ofMaxSize(8).map(edits -> {
      StringBuilder sb = new StringBuilder(VALID);
      for (int[] e : edits) {
        int p = Math.min(e[0], sb.length() - 1);
        switch (e[2]) {
          case 0 -> sb.setCharAt(p, (char) e[1]);
          case 1 -> sb.insert(p, (char) e[1]);
          default -> sb.deleteCharAt(p);
        }
      }
      return sb.toString();
    });
  }

  @Property(tries = 400)
  void configLoaderOnlyReportsValidationErrors(@ForAll("mutatedConfigs") String yaml) {
    loadsOrExplains(yaml);
  }

  /** Values of every YAML kind in the places where the overload settings go. */
  @Property(tries = 300)
  void overloadSettingsWithAnyValue(@ForAll("yamlValues") String a, @ForAll("yamlValues") String b,
      @ForAll("yamlValues") String c) {
    loadsOrExplains("""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            max-connections-per-client: %s
            limits: {max-header-count: %s}
            rate-limits: [{name: r, key: %s, rate: %s, burst: %s, period: %s, match: {path-prefix: %s}}]
        pools:
          - name: app
            backends: [{address: 127.0.0.1:9001}]
            slow-start: %s
            circuit-breaker: {consecutive-failures: %s, open-time: %s}
            retry-budget: {percent: %s}
        """.formatted(a, b, c, a, b, c, a, b, c, a, b));
  }

  @Provide
  Arbitrary<String> yamlValues() {
    return Arbitraries.oneOf(
        Arbitraries.of("null", "~", "true", "no", "0", "-1", "1", "2147483648", "99999999999999999999", "1.5", "[]",
            "{}", "[1, 2]", "{a: 1}", "\"\"", "\" \"", "source", "route", "\"header:\"", "\"cookie:\"",
            "\"header:X\"", "1s", "0s", "1m30s", "500ms", "/x", "\"/\"", "&a 1", "*a", "!!binary AAAA", "'''"),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12).map(s -> "\"" + s.replace("\\", "\\\\")
            .replace("\"", "\\\"") + "\""));
  }

  private static void loadsOrExplains(String yaml) {
    try {
      ConfigLoader.parse(yaml, "fuzz.yaml");
    } catch (ConfigException e) {
      assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a validation error says what is wrong");
      assertTrue(e.getMessage().contains("fuzz.yaml"), e.getMessage());
    }
  }

  @Property(tries = 1000)
  void cookieParserNeverThrows(@ForAll @StringLength(max = 200) String header, @ForAll("cookieNames") String name) {
    String value = Cookies.find(header, name);
    assertTrue(value == null || header.contains(value));
  }

  @Provide
  Arbitrary<String> cookieNames() {
    return Arbitraries.oneOf(Arbitraries.of("SID", "a", "TANDEM_SERVER", "JSESSIONID"),
        Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(8));
  }

  @Property(tries = 300)
  void cookieTokensAreOpaqueAndStable(@ForAll @StringLength(max = 50) String pool,
      @ForAll @StringLength(max = 50) String backend, @ForAll("secrets") String secret) {
    String token = CookieTokens.token(pool, backend, secret);
    assertTrue(token.equals(CookieTokens.token(pool, backend, secret)));
    assertTrue(token.chars().allMatch(ch -> ch > 32 && ch < 127 && ch != ';' && ch != ',' && ch != '"'), token);
  }

  @Provide
  Arbitrary<String> secrets() {
    return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.strings().ofMaxLength(20));
  }

  @Property(tries = 300)
  void headerCountNeverThrows(@ForAll("headerLists") List<String> names, @ForAll("limits") int max) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    names.forEach(n -> h.add(n, "v"));
    assertTrue(io.tandem.proxy.http.FuzzAccess.headerCountOver(h, max) == (names.size() > max));
  }

  @Provide
  Arbitrary<List<String>> headerLists() {
    return Arbitraries.of("A", "a", "B", "Host", "Cookie").list().ofMaxSize(40);
  }

  @Provide
  Arbitrary<Integer> limits() {
    return Arbitraries.integers().between(0, 50);
  }
}
