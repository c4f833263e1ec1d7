package io.tandem.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tandem.testing.AdminClient;
import io.tandem.testing.AdminFixture;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document says what the router does: the same paths and methods both ways, and real answers carry the
 * properties the document marks required, with the documented types.
 */
class OpenApiRoutesTest {
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch");

  static JsonNode openApi() throws Exception {
    try (InputStream in = AdminServer.class.getResourceAsStream("/io/tandem/admin/openapi.yaml")) {
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    }
  }

  @Test
  void routesAndDocumentAgree() throws Exception {
    try (AdminFixture f = AdminFixture.standard()) {
      Set<String> routes = new TreeSet<>();
      for (Route r : f.node.admin().router().getRoutes()) {
        if (r.getPath() == null) {
          continue; // the failure handler
        }
        for (HttpMethod m : r.methods()) {
          routes.add(m.name() + " " + r.getPath().replaceAll(":(\\w+)", "{$1}"));
        }
      }
      Set<String> documented = new TreeSet<>();
      for (Iterator<String> it = openApi().get("paths").fieldNames(); it.hasNext(); ) {
        String path = it.next();
        JsonNode item = openApi().get("paths").get(path);
        METHODS.stream().filter(item::has).forEach(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + path));
      }
      Set<String> undocumented = new TreeSet<>(routes);
      undocumented.removeAll(documented);
      Set<String> unrouted = new TreeSet<>(documented);
      unrouted.removeAll(routes);
      assertTrue(undocumented.isEmpty(), "routes missing from openapi.yaml: " + undocumented);
      assertTrue(unrouted.isEmpty(), "documented but not routed: " + unrouted);
      assertEquals(34, routes.size(), routes.toString());
    }
  }

  @Test
  void realAnswersHaveTheDocumentedRequiredProperties() throws Exception {
    JsonNode doc = openApi();
    try (AdminFixture f = AdminFixture.standard()) {
      f.traffic("/");
      check(doc, "Cluster", f.admin.get("/api/v1/cluster"));
      check(doc, "Pools", f.admin.get("/api/v1/pools"));
      check(doc, "Pool", f.admin.get("/api/v1/pools/app"));
      check(doc, "Backend", f.admin.get("/api/v1/pools/app/backends/b1"));
      check(doc, "SessionStats", f.admin.get("/api/v1/sessions/stats"));
      check(doc, "LocalStats", f.admin.get("/api/v1/local/stats"));
      check(doc, "Limits", f.admin.get("/api/v1/limits"));
      check(doc, "LocalLimits", f.admin.get("/api/v1/local/limits"));
      check(doc, "Ready", f.admin.get("/readyz"));
      check(doc, "Alive", f.admin.get("/healthz"));
      check(doc, "Change", f.admin.post("/api/v1/pools/app/backends/b1/drain"));
      check(doc, "Reload", f.admin.post("/api/v1/config/reload"));
      check(doc, "Error", f.admin.get("/api/v1/pools/zz"));
    }
  }

  /** Checks an answer against a schema of the document (also used by the limits tests, which have traffic). */
  static void check(JsonNode doc, String schema, AdminClient.Answer answer) throws Exception {
    JsonNode body = new ObjectMapper().readTree(answer.text());
    validate(doc, doc.at("/components/schemas/" + schema), body, schema);
  }

  /** Required properties present, types as documented (nullable allowed where said), enums respected; recursive. */
  private static void validate(JsonNode doc, JsonNode schema, JsonNode value, String where) {
    if (schema.has("$ref")) {
      schema = doc.at(schema.get("$ref").asText().substring(1));
    }
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        fail(where + " is null but not nullable");
      }
      return;
    }
    String type = schema.path("type").asText("object");
    boolean ok = switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      default -> false;
    };
    assertTrue(ok, where + " should be " + type + ", is " + value);
    if (schema.has("enum")) {
      boolean listed = false;
      for (JsonNode e : schema.get("enum")) {
        listed |= e.asText().equals(value.asText());
      }
      assertTrue(listed, where + " = " + value + " is not one of " + schema.get("enum"));
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        assertTrue(value.has(required.asText()), where + " lacks required " + required.asText() + ": " + value);
      }
      for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        JsonNode property = schema.path("properties").get(name);
        if (property != null) {
          validate(doc, property, value.get(name), where + "." + name);
        }
      }
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        validate(doc, schema.get("items"), value.get(i), where + "[" + i + "]");
      }
    }
  }
}
