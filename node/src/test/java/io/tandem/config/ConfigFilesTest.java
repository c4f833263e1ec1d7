package io.tandem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every shipped configuration and every YAML block of the README must load, so documentation cannot drift. */
class ConfigFilesTest {
  /** Surefire runs with the node module as working directory. */
  private static final Path REPO = Path.of("..");

  @TestFactory
  Stream<DynamicTest> everyFileUnderConfigLoads() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(REPO.resolve("config"))) {
      files = walk.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
    }
    assertTrue(files.size() >= 3, "found only " + files);
    return files.stream().map(file -> DynamicTest.dynamicTest(file.toString(), () -> load(file)));
  }

  @TestFactory
  Stream<DynamicTest> everyReadmeYamlBlockLoads() {
    List<String> blocks = readmeBlocks("yaml");
    assertFalse(blocks.isEmpty(), "README.md has no ```yaml blocks");
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      String name = "README.md yaml block " + (i + 1);
      String block = blocks.get(i);
      tests.add(DynamicTest.dynamicTest(name, () -> ConfigTexts.parses(block)));
    }
    return tests.stream();
  }

  @Test
  void shippedConfigsSayWhatTheBriefPromises() throws ConfigException {
    TandemConfig bench = ConfigLoader.load(REPO.resolve("config/bench/http.yaml"));
    assertFalse(bench.accessLog().enabled());
    assertEquals(18080, bench.listeners().get(0).port());
    assertEquals(List.of(19001, 19002), bench.pools().get(0).backends().stream().map(BackendConfig::port).toList());

    TandemConfig demo = ConfigLoader.load(REPO.resolve("config/demo.yaml"));
    assertEquals(8080, demo.listeners().get(0).port());
    PoolConfig app = demo.pool(demo.listeners().get(0).defaultPool()).orElseThrow();
    assertEquals(List.of(19101, 19102, 19103), app.backends().stream().map(BackendConfig::port).toList());
    assertEquals(PersistenceConfig.Type.COOKIE, app.persistence().type());
    assertEquals("/health", app.health().active().path());
  }

  /** The bodies of the README's fenced blocks in {@code language}. */
  static List<String> readmeBlocks(String language) {
    List<String> lines;
    try {
      lines = Files.readAllLines(REPO.resolve("README.md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> blocks = new ArrayList<>();
    StringBuilder block = null;
    for (String line : lines) {
      if (block == null && line.strip().equals("```" + language)) {
        block = new StringBuilder();
      } else if (block != null && line.strip().equals("```")) {
        blocks.add(block.toString());
        block = null;
      } else if (block != null) {
        block.append(line).append('\n');
      }
    }
    return blocks;
  }

  private static void load(Path file) {
    try {
      ConfigLoader.load(file);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
