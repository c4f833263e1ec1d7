package io.tandem.bootstrap;

import io.tandem.config.ConfigError;
import io.tandem.config.ConfigException;
import io.tandem.config.TandemConfig;
import io.tandem.testing.FakeNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stands in for the YAML loader with a trivial format, so that bootstrap tests read real files without depending on
 * the configuration schema: each line {@code error PATH MESSAGE} is one error ({@code error@ID PATH MESSAGE} only for
 * node ID), a line {@code nodes ID...} names the file's nodes; otherwise the first line holds the drain timeout in
 * seconds and yields {@link FakeNode#config}. A source for a node is named {@code FILE#ID}.
 */
final class StubConfigFiles {
  private StubConfigFiles() {}

  static ConfigSource source(Path file) {
    return source(file, null);
  }

  static ConfigSource source(Path file, String nodeId) {
    String name = nodeId == null ? file.toString() : file + "#" + nodeId;
    return ConfigSource.of(name, () -> read(file, nodeId), () -> lines(file).stream()
        .filter(line -> line.startsWith("nodes "))
        .flatMap(line -> Arrays.stream(line.substring(6).split(" ")))
        .toList());
  }

  static TandemConfig read(Path file, String nodeId) throws ConfigException {
    List<String> lines = lines(file);
    List<ConfigError> errors = new ArrayList<>();
    for (String line : lines) {
      String[] parts = line.split(" ", 3);
      if (parts[0].equals("error") || parts[0].equals("error@" + nodeId)) {
        errors.add(new ConfigError(file.toString(), parts[1], parts[2]));
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return FakeNode.config(Duration.ofSeconds(Long.parseLong(lines.get(0).trim())));
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path dir, String name, String... lines) {
    try {
      return Files.write(dir.resolve(name), List.of(lines));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
