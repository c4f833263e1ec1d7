package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One YAML mapping being read, at a field path such as {@code pools[1].backends[0]}. Getters parse a key's value,
 * record any problem under that key's path and return the default instead, so that reading goes on and every error
 * is found in one pass. An explicit {@code null} counts as absent.
 */
final class YamlMap {
  private static final JsonNode ABSENT = com.fasterxml.jackson.databind.node.NullNode.getInstance();

  private final JsonNode node;
  private final String path;
  private final Problems problems;

  private YamlMap(JsonNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /**
   * Opens {@code node} as a mapping that may hold only {@code keys}. An absent node reads as an empty mapping (all
   * defaults); a node of another kind is an error and also reads as empty.
   */
  static YamlMap open(JsonNode node, String path, Problems problems, String... keys) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return new YamlMap(ABSENT, path, problems);
    }
    if (!node.isObject()) {
      problems.add(path, "must be a mapping, got " + Scalars.describe(node));
      return new YamlMap(ABSENT, path, problems);
    }
    List<String> allowed = Arrays.asList(keys);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        problems.add(path, "unknown key \"" + key + "\"; expected one of: " + String.join(", ", keys));
      }
    }
    return new YamlMap(node, path, problems);
  }

  String path() {
    return path;
  }

  Problems problems() {
    return problems;
  }

  /** The path of a key in this mapping, for messages. */
  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    JsonNode value = node.get(key);
    return value != null && !value.isNull();
  }

  /** A key's value as it is in the tree (null when absent), for a reader that only peeks at another's section. */
  JsonNode raw(String key) {
    return node.get(key);
  }

  void error(String key, String message) {
    problems.add(path(key), message);
  }

  /** Parses a key's value; absent gives {@code def}, unparsable records the parser's message and gives {@code def}. */
  <T> T value(String key, T def, Function<JsonNode, T> parser) {
    if (!has(key)) {
      return def;
    }
    try {
      return parser.apply(node.get(key));
    } catch (IllegalArgumentException e) {
      error(key, e.getMessage());
      return def;
    }
  }

  /** Like {@link #value} but an absent key is an error; gives null then. */
  <T> T required(String key, Function<JsonNode, T> parser) {
    if (!has(key)) {
      error(key, "is required");
      return null;
    }
    return value(key, null, parser);
  }

  String string(String key, String def) {
    return value(key, def, Scalars::text);
  }

  boolean bool(String key, boolean def) {
    return value(key, def, Scalars::bool);
  }

  Duration duration(String key, Duration def) {
    return value(key, def, Scalars::duration);
  }

  /** An integer in {@code min..max}. */
  int integer(String key, int def, int min, int max) {
    return (int) range(value(key, (long) def, Scalars::integer), key, def, min, max);
  }

  /** A size in bytes in {@code min..max}. */
  long size(String key, long def, long min, long max) {
    return range(value(key, def, Scalars::size), key, def, min, max);
  }

  private long range(long n, String key, long def, long min, long max) {
    if (n >= min && n <= max) {
      return n;
    }
    if (max < Integer.MAX_VALUE) {
      error(key, "must be between " + min + " and " + max + ", got " + n);
    } else {
      error(key, (n < min ? "must be at least " + min : "must be at most " + max) + ", got " + n);
    }
    return def;
  }

  /** An enum constant by its kebab-case spelling; the message lists every allowed spelling. */
  <E extends Enum<E>> E choice(String key, Class<E> type, E def) {
    return value(key, def, value -> {
      for (E constant : type.getEnumConstants()) {
        if (value.isTextual() && Scalars.spelling(constant).equals(value.textValue())) {
          return constant;
        }
      }
      String allowed = Arrays.stream(type.getEnumConstants()).map(Scalars::spelling).collect(Collectors.joining(", "));
      throw new IllegalArgumentException("must be one of: " + allowed + "; got " + Scalars.describe(value));
    });
  }

  /** A nested mapping (empty when absent). */
  YamlMap map(String key, String... keys) {
    return open(node.get(key), path(key), problems, keys);
  }

  /**
   * A nested mapping whose keys are free names (such as listener names) rather than settings: each value is parsed by
   * {@code parser}, and a bad one is reported under {@code key.NAME} and left out. Absent gives an empty map.
   */
  <T> Map<String, T> entries(String key, Function<JsonNode, T> parser) {
    Map<String, T> result = new LinkedHashMap<>();
    if (!has(key)) {
      return result;
    }
    JsonNode map = node.get(key);
    if (!map.isObject()) {
      error(key, "must be a mapping, got " + Scalars.describe(map));
      return result;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (entry.getValue().isNull()) {
        continue;
      }
      try {
        result.put(entry.getKey(), parser.apply(entry.getValue()));
      } catch (IllegalArgumentException e) {
        problems.add(path(key) + "." + entry.getKey(), e.getMessage());
      }
    }
    return result;
  }

  /** A list; each element is handed to {@code reader} with its path, e.g. {@code routes[2]}. Absent gives empty. */
  <T> List<T> list(String key, ElementReader<T> reader) {
    List<T> result = new ArrayList<>();
    if (!has(key)) {
      return result;
    }
    JsonNode list = node.get(key);
    if (!list.isArray()) {
      error(key, "must be a list, got " + Scalars.describe(list));
      return result;
    }
    for (int i = 0; i < list.size(); i++) {
      T element = reader.read(list.get(i), path(key) + "[" + i + "]");
      if (element != null) {
        result.add(element);
      }
    }
    return result;
  }

  /** A list of mappings, each allowed {@code keys}. */
  <T> List<T> maps(String key, Function<YamlMap, T> reader, String... keys) {
    return list(key, (element, elementPath) -> reader.apply(open(element, elementPath, problems, keys)));
  }

  /** A list of scalars parsed by {@code parser}; bad elements are reported and left out. */
  <T> List<T> scalars(String key, Function<JsonNode, T> parser) {
    return list(key, (element, elementPath) -> {
      try {
        return parser.apply(element);
      } catch (IllegalArgumentException e) {
        problems.add(elementPath, e.getMessage());
        return null;
      }
    });
  }

  @FunctionalInterface
  interface ElementReader<T> {
    /** Reads one list element; returns null to leave it out (after recording why). */
    T read(JsonNode element, String path);
  }
}
