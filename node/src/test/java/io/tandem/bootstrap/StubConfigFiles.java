package io.tandem.bootstrap;

import io.tandem.config.ConfigError;
import io.tandem.config.ConfigException;
import io.tandem.config.TandemConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for the YAML loader with a trivial format, so that bootstrap tests read real files without depending on
 * the configuration schema: each line {@code error PATH MESSAGE} is one error; otherwise the file holds the drain
 * timeout in seconds and yields {@link FakeNode#config}.
 */
final class StubConfigFiles {
  private StubConfigFiles() {}

  static ConfigSource source(Path file) {
    return ConfigSource.of(file.toString(), () -> read(file));
  }

  static TandemConfig read(Path file) throws ConfigException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<ConfigError> errors = new ArrayList<>();
    for (String line : lines) {
      String[] parts = line.split(" ", 3);
      if (parts[0].equals("error")) {
        errors.add(new ConfigError(file.toString(), parts[1], parts[2]));
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return FakeNode.config(Duration.ofSeconds(Long.parseLong(lines.get(0).trim())));
  }

  static Path write(Path dir, String name, String... lines) {
    try {
      return Files.write(dir.resolve(name), List.of(lines));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
