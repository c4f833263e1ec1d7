package io.tandem.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.AdminConfig;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The admin API's inputs (path parameters, query parameters, JSON bodies) against a real node: whatever arrives, the
 * answer is a success or a 4xx with a JSON error message (or the documented 504 of a change not applied in time),
 * never a 5xx, and the node keeps answering. Added backends point at loopback or at nothing that resolves, so no
 * traffic can leave the machine.
 */
class AdminInputFuzzTest {
  private static final String TOKEN = "admin-fuzz-token-0123456789";
  private static Vertx vertx;
  private static FakeBackend backend;
  private static TandemNode node;
  private static HttpClient http;

  @BeforeContainer
  static void start() throws Exception {
    vertx = Vertx.vertx();
    backend = FakeBackend.start(vertx, "b1");
    node = TandemNode.start(TestConfigs.config(1, TestConfigs.listener("web").defaultPool("app"),
            TestConfigs.pool("app").backend("b1", backend.port()).backend("b2", backend.port()))
        .withAdmin(AdminConfig.listen("127.0.0.1", 0, TOKEN))).await(30, TimeUnit.SECONDS);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterContainer
  static void stop() throws Exception {
    if (node != null) {
      node.shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    }
    backend.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Property(tries = 250)
  void changeBodiesAreValidated(@ForAll("changes") String endpoint, @ForAll("bodies") String body) throws Exception {
    String[] parts = endpoint.split(" ", 2);
    answersWithoutFailing(send(parts[0], parts[1], body), parts[0] + " " + parts[1] + " " + body);
  }

  @Property(tries = 250)
  void pathAndQueryParametersAreValidated(@ForAll("texts") String pool, @ForAll("texts") String id,
      @ForAll("texts") String key, @ForAll("requests") String shape) throws Exception {
    String path = shape.replace("{pool}", enc(pool)).replace("{id}", enc(id)).replace("{key}", enc(key));
    String method = path.startsWith("GET ") ? "GET" : path.startsWith("PUT ") ? "PUT" : path.startsWith("DELETE ")
        ? "DELETE" : "POST";
    String uri = path.substring(method.length() + 1);
    answersWithoutFailing(send(method, uri, method.equals("PUT") ? "{\"weight\": 3}" : ""), method + " " + uri);
  }

  private static void answersWithoutFailing(HttpResponse<String> r, String what) {
    int status = r.statusCode();
    assertTrue(status < 500 || status == 504, what + " -> " + status + " " + r.body());
    if (status >= 400) {
      assertTrue(r.body().startsWith("{"), what + " -> " + status + " " + r.headers().map() + " body: " + r.body());
      JsonObject answer = new JsonObject(r.body());
      // A reload answers per node ({"results": [{"node", "ok", "error"}]}); everything else {"error": message}.
      JsonObject error = answer.containsKey("results") ? answer.getJsonArray("results").getJsonObject(0) : answer;
      String message = error.getString("error");
      assertFalse(message == null || message.isBlank(), what + " -> " + status + " without a message: " + r.body());
    }
    assertEquals(200, get("/healthz").statusCode(), "the node keeps answering after " + what);
  }

  private static HttpResponse<String> get(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base() + path)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + TOKEN);
    if (!body.isEmpty()) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String base() {
    return "http://127.0.0.1:" + node.adminPort();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Provide
  Arbitrary<String> changes() {
    return Arbitraries.of("POST /api/v1/pools/app/backends", "PUT /api/v1/pools/app/backends/b1/weight",
        "PUT /api/v1/pools/app/backends/b2/weight", "POST /api/v1/pools/app/backends/b2/drain",
        "POST /api/v1/config/reload", "POST /api/v1/pools/nope/backends");
  }

  @Provide
  Arbitrary<String> requests() {
    return Arbitraries.of("GET /api/v1/pools/{pool}", "GET /api/v1/pools/{pool}/backends/{id}",
        "POST /api/v1/pools/{pool}/backends/{id}/drain", "POST /api/v1/pools/{pool}/backends/{id}/enable",
        "POST /api/v1/pools/{pool}/backends/{id}/disable", "PUT /api/v1/pools/{pool}/backends/{id}/weight",
        "DELETE /api/v1/pools/{pool}/backends/{id}", "GET /api/v1/sessions?pool={pool}&key={key}",
        "GET /api/v1/sessions?pool=app&key={key}", "GET /api/v1/sessions?key={key}",
        "GET /api/v1/limits/rate?listener={pool}&rule={id}&key={key}", "POST /api/v1/config/reload?node={id}",
        "GET /api/v1/local/limits/rate?listener=web&rule={id}&key={key}");
  }

  /** Names that exist, near misses, and arbitrary text including control characters and very long strings. */
  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(Arbitraries.of("app", "b1", "b2", "web", "", ".", "..", "a/b", "%", "\u0000", "b1\n"),
        Arbitraries.strings().ofMaxLength(40), Arbitraries.strings().withCharRange('a', 'z').ofLength(5000));
  }

  /** JSON-shaped bodies with values of every type in the fields the API reads, plus broken and non-JSON text. */
  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("null", "true", "\"\"", "[]", "{}", "-1", "0", "1",
            "256", "257", "65535", "65536", "1e3", "1.5", "9999999999999999999", "\"7\"", "\"127.0.0.1\""),
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.strings().ofMaxLength(20).map(s -> JsonObject.of("v", s).encode().substring(5).replace("}", "")));
    Arbitrary<String> host = Arbitraries.of("\"127.0.0.1\"", "\"::1\"", "\"127.0.0.2\"", "\"\"", "\"bad host\"",
        "\"999.1.1.1\"", "\"[::1]\"", "1", "null");
    Arbitrary<String> id = Arbitraries.oneOf(Arbitraries.of("\"b3\"", "\"b1\"", "\"\"", "\"a/b\"", "1", "null"),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(70).map(s -> "\"" + s + "\""));
    Arbitrary<String> object = Combinators.combine(id, host, value, value, value, Arbitraries.of(List.of(
            "id", "host", "port", "weight", "maxConnections"), List.of("id", "port"), List.of("weight"),
            List.of("weight", "extra"), List.of("host", "port", "id", "weight")))
        .as((i, h, p, w, m, fields) -> {
          StringBuilder sb = new StringBuilder("{");
          for (String f : fields) {
            String v = switch (f) {
              case "id" -> i;
              case "host" -> h;
              case "port" -> p;
              case "weight" -> w;
              default -> m;
            };
            sb.append(sb.length() > 1 ? "," : "").append('"').append(f).append("\":").append(v);
          }
          return sb.append('}').toString();
        });
    return Arbitraries.oneOf(object, Arbitraries.of("", "{", "[]", "null", "\"x\"", "{\"weight\":}", "not json"),
        Arbitraries.strings().ofMaxLength(60));
  }
}
