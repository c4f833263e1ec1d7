package io.tandem.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link ConfigLoader} with every problem found, never just the first. Control plane only. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(errors.size() + " configuration error(s):\n  "
        + errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n  ")));
    this.errors = List.copyOf(errors);
  }

  public List<ConfigError> errors() {
    return errors;
  }
}
