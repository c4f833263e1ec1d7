package io.tandem.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;

/** Builds small configurations around the part under test, and reads back the errors a configuration produces. */
final class ConfigTexts {
  static final String LISTENER = """
      listeners:
        - name: web
          bind: 127.0.0.1:8080
      """;
  static final String POOL = """
      pools:
        - name: app
          backends: [{address: 127.0.0.1:9001}]
      """;

  private ConfigTexts() {}

  /** One listener, plus one pool "app" with one backend and {@code lines} added to the pool. */
  static String pool(String lines) {
    return LISTENER + POOL + indent(lines, 4);
  }

  /** One listener "web" with {@code lines} added to it, plus pool "app". */
  static String listener(String lines) {
    return LISTENER + indent(lines, 4) + POOL;
  }

  /** The errors of {@code yaml}, each as "path: message" (or just the message for the whole file). */
  static List<String> errors(String yaml) {
    return errors(yaml, null);
  }

  /** The errors of {@code yaml} read for the node {@code nodeId}, each as "path: message". */
  static List<String> errors(String yaml, String nodeId) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml", nodeId));
    return e.errors().stream()
        .peek(error -> {
          if (!error.file().equals("test.yaml")) {
            throw new AssertionError("error names the wrong file: " + error);
          }
        })
        .map(error -> error.path().isEmpty() ? error.message() : error.path() + ": " + error.message())
        .toList();
  }

  /** Parses {@code yaml}, failing the test with the loader's message if it is rejected. */
  static TandemConfig parses(String yaml) {
    return parses(yaml, null);
  }

  /** Parses {@code yaml} for the node {@code nodeId}, failing the test with the loader's message if it is rejected. */
  static TandemConfig parses(String yaml, String nodeId) {
    try {
      return ConfigLoader.parse(yaml, "test.yaml", nodeId);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /** {@code yaml} as a tree, for driving a package-private reader directly. */
  static JsonNode tree(String yaml) {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  static String indent(String lines, int spaces) {
    return lines.indent(spaces);
  }
}
