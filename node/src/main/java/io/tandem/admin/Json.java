package io.tandem.admin;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** Writing answers and reading request bodies, the same way for every resource. */
final class Json {
  private Json() {}

  static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }

  static void ok(RoutingContext ctx, JsonObject body) {
    send(ctx, 200, body);
  }

  /** {@code {"error": message}} plus {@code "field"} when not null. */
  static void error(RoutingContext ctx, int status, String message, String field) {
    JsonObject body = new JsonObject().put("error", message);
    if (field != null) {
      body.put("field", field);
    }
    send(ctx, status, body);
  }

  /** ISO-8601 UTC, or null for 0 (unknown). */
  static String time(long millis) {
    return millis <= 0 ? null : Instant.ofEpochMilli(millis).toString();
  }

  static JsonArray array(Collection<String> values) {
    return new JsonArray(List.copyOf(values));
  }

  /**
   * The request body as a JSON object holding only {@code allowed} fields; an empty body is an empty object.
   *
   * @throws AdminException 400 naming what is wrong (malformed JSON, not an object, an unknown field)
   */
  static JsonObject body(RoutingContext ctx, String... allowed) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new AdminException(400, "malformed JSON: " + firstLine(e.getMessage()));
    }
    if (!(value instanceof JsonObject object)) {
      throw new AdminException(400, "the body must be a JSON object, got " + kind(value));
    }
    List<String> names = List.of(allowed);
    for (String name : object.fieldNames()) {
      if (!names.contains(name)) {
        throw AdminException.badField(name, allowed.length == 0 ? "this call takes no body; got field \"" + name + "\""
            : "unknown field \"" + name + "\"; expected: " + String.join(", ", allowed));
      }
    }
    return object;
  }

  /** An integer field in {@code min..max}; {@code def} when absent (null def: required). */
  static int integer(JsonObject body, String field, Integer def, int min, int max) {
    Object value = body.getValue(field);
    if (value == null) {
      if (def == null) {
        throw AdminException.badField(field, field + " is required");
      }
      return def;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw AdminException.badField(field, field + " must be an integer, got " + kind(value));
    }
    long n = ((Number) value).longValue();
    if (n < min || n > max) {
      throw AdminException.badField(field, field + " must be between " + min + " and " + max + ", got " + n);
    }
    return (int) n;
  }

  /** A required, non-blank string field. */
  static String string(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      throw AdminException.badField(field, field + " is required");
    }
    if (!(value instanceof String s)) {
      throw AdminException.badField(field, field + " must be a string, got " + kind(value));
    }
    if (s.isBlank()) {
      throw AdminException.badField(field, field + " must not be empty");
    }
    return s;
  }

  /** How a JSON value is described in messages: {@code "x"} for strings, else its type. */
  static String kind(Object value) {
    if (value instanceof String s) {
      return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Number) {
      return "a number (" + value + ")";
    }
    return "null";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "cannot parse";
    }
    int cut = message.indexOf('\n');
    return cut < 0 ? message : message.substring(0, cut);
  }
}
