package io.tandem.config;

import java.util.ArrayList;
import java.util.List;

/** Collects the errors found in one configuration source, so that all of them are reported together. */
final class Problems {
  private final String file;
  private final List<ConfigError> errors = new ArrayList<>();

  Problems(String file) {
    this.file = file;
  }

  void add(String path, String message) {
    errors.add(new ConfigError(file, path, message));
  }

  boolean isEmpty() {
    return errors.isEmpty();
  }

  ConfigException exception() {
    return new ConfigException(errors);
  }
}
