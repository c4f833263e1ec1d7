package io.tandem.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tandem.config.ConfigLoader;
import io.tandem.config.NodeSettings;
import io.tandem.config.TandemConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Reads the manifests in {@code deploy/kubernetes/} for the manifest tests. */
final class KubernetesManifests {
  private KubernetesManifests() {}

  static final Path DIR = Path.of("../deploy/kubernetes"); // surefire runs in node/
  static final Path LAUNCHER_SCRIPT = Path.of("src/main/scripts/tandem");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String NAMESPACE = "tandem";

  /** Every document of every {@code *.yaml} file, by file name. */
  static Map<String, List<JsonNode>> documents() throws IOException {
    Map<String, List<JsonNode>> docs = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        List<JsonNode> list = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
          while (it.hasNextValue()) {
            JsonNode doc = it.nextValue();
            if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
              list.add(doc);
            }
          }
        }
        docs.put(file.getFileName().toString(), list);
      }
    }
    return docs;
  }

  /** The one manifest of {@code kind} (and {@code name}, when not null). */
  static JsonNode manifest(String kind, String name) {
    try {
      List<JsonNode> found = documents().values().stream().flatMap(List::stream)
          .filter(d -> d.path("kind").asText().equals(kind))
          .filter(d -> name == null || d.path("metadata").path("name").asText().equals(name)).toList();
      assertEquals(1, found.size(), "manifests of kind " + kind + (name == null ? "" : " named " + name));
      return found.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode statefulSet() {
    return manifest("StatefulSet", null);
  }

  static JsonNode podSpec() {
    return statefulSet().path("spec").path("template").path("spec");
  }

  static JsonNode container() {
    JsonNode containers = podSpec().path("containers");
    assertEquals(1, containers.size(), "containers");
    return containers.get(0);
  }

  /** The node configuration inside the ConfigMap, as a YAML tree. */
  static JsonNode tandemYaml() throws IOException {
    return YAML.readTree(configMapText());
  }

  static String configMapText() {
    JsonNode text = manifest("ConfigMap", null).path("data").path("tandem.yaml");
    assertTrue(text.isTextual(), "the ConfigMap has the key tandem.yaml");
    return text.asText();
  }

  static Map<String, String> map(JsonNode node) {
    Map<String, String> m = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  static Map<String, String> podLabels() {
    return map(statefulSet().path("spec").path("template").path("metadata").path("labels"));
  }

  /** True when every label of {@code selector} (non-empty) is on the pods. */
  static void selectsThePods(JsonNode selector, String what) {
    Map<String, String> wanted = map(selector);
    assertFalse(wanted.isEmpty(), what + " has a selector");
    Map<String, String> labels = podLabels();
    wanted.forEach((k, v) -> assertEquals(v, labels.get(k), what + " selects label " + k));
  }

  /** The container port called {@code name}. */
  static int containerPort(String name) {
    for (JsonNode p : container().path("ports")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + name);
  }

  /** A port given by number or by the container port's name. */
  static int resolve(JsonNode port) {
    return port.isInt() ? port.asInt() : containerPort(port.asText());
  }

  static int portOf(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** The mount path of the volume {@code volume} in the container. */
  static String mountPath(String volume) {
    for (JsonNode m : container().path("volumeMounts")) {
      if (m.path("name").asText().equals(volume)) {
        return m.path("mountPath").asText();
      }
    }
    throw new AssertionError("volume " + volume + " is not mounted");
  }

  /** The name of the pod volume with a {@code type} source ({@code configMap}, {@code secret}, {@code emptyDir}). */
  static List<JsonNode> volumes(String type) {
    List<JsonNode> found = new ArrayList<>();
    podSpec().path("volumes").forEach(v -> {
      if (v.has(type)) {
        found.add(v);
      }
    });
    return found;
  }

  static boolean under(String path, String dir) {
    return path.startsWith(dir.endsWith("/") ? dir : dir + "/");
  }

  /** Durations as the configuration writes them here: whole seconds ({@code 30s}). */
  static Duration seconds(String text) {
    Matcher m = Pattern.compile("(\\d+)s").matcher(text);
    assertTrue(m.matches(), "a duration in whole seconds: " + text);
    return Duration.ofSeconds(Long.parseLong(m.group(1)));
  }

  static long mebibytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
    assertTrue(m.matches(), "a quantity in Mi or Gi: " + quantity);
    return Long.parseLong(m.group(1)) * (m.group(2).equals("Gi") ? 1024 : 1);
  }
}
