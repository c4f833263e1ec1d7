package io.tandem.bootstrap;

import io.tandem.config.ConfigError;
import io.tandem.config.ConfigException;
import io.tandem.config.ConfigLoader;
import io.tandem.config.TandemConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where a node's configuration comes from. It is read once at start and again on every reload ({@code SIGHUP}), so
 * that an edited file takes effect without a restart. Tests pass a lambda-backed source instead of real YAML.
 *
 * <p>Example: {@code ConfigSource.file(Path.of("/etc/tandem/tandem.yaml")).read()} returns the validated
 * configuration or throws a {@link ConfigException} listing every problem.
 */
public interface ConfigSource {

  /** Reads and validates the configuration; throws with every problem found. */
  TandemConfig read() throws ConfigException;

  /** How messages name this source, e.g. the file path as given on the command line. */
  String name();

  /**
   * The node ids the source defines, in order; empty for a standalone configuration. {@code --check-config} without
   * {@code --node} checks the configuration once for each.
   */
  default List<String> nodeIds() {
    return List.of();
  }

  /** A standalone node's YAML file on disk. */
  static ConfigSource file(Path file) {
    return file(file, null);
  }

  /**
   * A YAML file on disk read for the node {@code nodeId} ({@code --node}, null when not given); the name then says
   * which node, e.g. {@code cluster.yaml (node n2)}.
   */
  static ConfigSource file(Path file, String nodeId) {
    String name = nodeId == null ? file.toString() : file + " (node " + nodeId + ")";
    return of(name, () -> ConfigLoader.load(file, nodeId), () -> ConfigLoader.nodeIds(file));
  }

  /** A YAML resource inside the jar, e.g. the bundled demo configuration. */
  static ConfigSource classpath(String resource) {
    String name = "classpath:" + resource;
    return of(name, () -> {
      try (InputStream in = ConfigSource.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new ConfigException(List.of(new ConfigError(name, "", "not found (the jar was built without it)")));
        }
        return ConfigLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a resource inside our own jar
      }
    });
  }

  /** A source named {@code name} that reads with {@code reader}; it defines no nodes. */
  static ConfigSource of(String name, Reader reader) {
    return of(name, reader, List::of);
  }

  /** A source named {@code name} that reads with {@code reader} and lists its nodes with {@code nodeIds}. */
  static ConfigSource of(String name, Reader reader, Supplier<List<String>> nodeIds) {
    return new ConfigSource() {
      @Override
      public TandemConfig read() throws ConfigException {
        return reader.read();
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public List<String> nodeIds() {
        return nodeIds.get();
      }
    };
  }

  /** The reading part of a source. */
  @FunctionalInterface
  interface Reader {
    TandemConfig read() throws ConfigException;
  }
}
