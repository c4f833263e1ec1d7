package io.tandem.config;

import java.nio.file.Path;

/**
 * Reads a YAML file into a validated {@link TandemConfig}. Unknown keys are errors; every error names the file, the
 * field path and what is wrong, and all errors are reported together in one {@link ConfigException}.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static TandemConfig load(Path file) throws ConfigException {
    throw new UnsupportedOperationException("not yet");
  }

  /** Parses YAML text; {@code sourceName} names it in errors. */
  public static TandemConfig parse(String yaml, String sourceName) throws ConfigException {
    throw new UnsupportedOperationException("not yet");
  }
}
