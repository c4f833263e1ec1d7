package io.tandem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every shipped configuration and every YAML block of the README must load, so documentation cannot drift. One that
 * defines nodes must load for each of them, as {@code tandem --check-config} without {@code --node} checks it.
 */
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
      if (block.contains("discovery: dns")) {
        // Members from DNS: read as the pod tandem-0 would, with POD_IP in its environment.
        tests.add(DynamicTest.dynamicTest(name, () -> ConfigLoader.parse(block, name, "tandem-0",
            java.util.Map.of("POD_IP", "10.0.0.7")::get)));
        continue;
      }
      tests.add(DynamicTest.dynamicTest(name, () -> forEachNode(ConfigLoader.nodeIdsIn(block),
          node -> ConfigTexts.parses(block, node))));
    }
    return tests.stream();
  }

  @Test
  void shippedConfigsSayWhatTheBriefPromises() throws ConfigException {
    TandemConfig bench = ConfigLoader.load(REPO.resolve("config/bench/http.yaml"));
    assertFalse(bench.accessLog().enabled());
    assertEquals(18080, bench.listeners().get(0).port());
    assertEquals(List.of(19001, 19002), bench.pools().get(0).backends().stream().map(BackendConfig::port).toList());

    TandemConfig h2c = ConfigLoader.load(REPO.resolve("config/bench/h2c.yaml"));
    assertFalse(h2c.accessLog().enabled());
    assertEquals(List.of("127.0.0.1", 18080, true), List.of(h2c.listeners().get(0).host(),
        h2c.listeners().get(0).port(), h2c.listeners().get(0).h2c()));
    assertEquals(BackendProtocol.H2C, h2c.pools().get(0).protocol());
    assertEquals(Algorithm.ROUND_ROBIN, h2c.pools().get(0).algorithm());
    assertEquals(List.of(19001, 19002), h2c.pools().get(0).backends().stream().map(BackendConfig::port).toList());

    TandemConfig grpc = ConfigLoader.load(REPO.resolve("config/grpc.yaml"));
    assertEquals(true, grpc.listeners().get(0).h2c());
    assertEquals(List.of(BackendProtocol.H2C, BackendProtocol.H2),
        grpc.pools().stream().map(PoolConfig::protocol).toList());
    assertEquals(HealthConfig.CheckType.GRPC, grpc.pools().get(0).health().active().type());

    TandemConfig demo = ConfigLoader.load(REPO.resolve("config/demo.yaml"));
    assertEquals(8080, demo.listeners().get(0).port());
    PoolConfig app = demo.pool(demo.listeners().get(0).defaultPool()).orElseThrow();
    assertEquals(List.of(19101, 19102, 19103), app.backends().stream().map(BackendConfig::port).toList());
    assertEquals(PersistenceConfig.Type.COOKIE, app.persistence().type());
    assertEquals("/health", app.health().active().path());

    Path localCluster = REPO.resolve("config/local-cluster.yaml");
    assertEquals(List.of("n1", "n2", "n3"), ConfigLoader.nodeIds(localCluster));
    for (int k = 1; k <= 3; k++) {
      TandemConfig node = ConfigLoader.load(localCluster, "n" + k);
      assertEquals(List.of("127.0.0.1", 18080 + k), List.of(node.listeners().get(0).host(),
          node.listeners().get(0).port()));
      assertEquals(new ClusterConfig.NodeEntry("n" + k, "127.0.0.1", 5700 + k, "127.0.0.1", 19090 + k),
          node.cluster().self());
      assertEquals("tandem-local", node.cluster().name());
      assertEquals(2, node.cluster().minMembers());
    }
    PoolConfig pool = ConfigLoader.load(localCluster, "n1").pools().get(0);
    assertEquals(List.of(19001, 19002, 19003), pool.backends().stream().map(BackendConfig::port).toList());
    assertEquals(Algorithm.LEAST_CONNECTIONS, pool.algorithm());
    assertEquals(PersistenceConfig.Type.COOKIE, pool.persistence().type());
    assertEquals(HealthConfig.CheckType.HTTP, pool.health().active().type());
  }

  /** Runs {@code check} for each node id, or once with null when there are none (a standalone configuration). */
  private static void forEachNode(List<String> nodes, Check check) throws ConfigException {
    for (String node : nodes.isEmpty() ? Collections.<String>singletonList(null) : nodes) {
      check.run(node);
    }
  }

  @FunctionalInterface
  private interface Check {
    void run(String node) throws ConfigException;
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
      forEachNode(ConfigLoader.nodeIds(file), node -> ConfigLoader.load(file, node));
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
