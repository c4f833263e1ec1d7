package io.tandem.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

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
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml"));
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
    try {
      return ConfigLoader.parse(yaml, "test.yaml");
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  static String indent(String lines, int spaces) {
    return lines.indent(spaces);
  }
}
