package io.tandem.bootstrap;

import static io.tandem.bootstrap.KubernetesManifests.*;

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

/**
 * The manifests in {@code deploy/kubernetes/} agree with each other, with the node configuration in their ConfigMap,
 * with the node's command line and with the launcher's JVM settings: labels and selectors, the headless members
 * Service, ports, probes, the token's Secret, the disruption budget and quorum, the image's entrypoint.
 */
class KubernetesManifestsTest {
  @TempDir
  Path dir;


  @Test
  void everyFileParsesAndEveryManifestIsNamedInTheNamespace() throws IOException {
    Map<String, List<JsonNode>> docs = documents();
    assertTrue(docs.keySet().containsAll(List.of("configmap.yaml", "secret.yaml", "statefulset.yaml",
        "service-members.yaml", "service-traffic.yaml", "pdb.yaml")), docs.keySet().toString());
    docs.forEach((file, list) -> {
      assertFalse(list.isEmpty(), file + " holds a manifest");
      for (JsonNode doc : list) {
        assertTrue(doc.path("apiVersion").isTextual(), file + ": apiVersion");
        assertTrue(doc.path("kind").isTextual(), file + ": kind");
        assertTrue(doc.path("metadata").path("name").isTextual(), file + ": metadata.name");
        String expected = doc.path("kind").asText().equals("Namespace") ? null : NAMESPACE;
        assertEquals(expected, doc.path("metadata").path("namespace").textValue(), file + ": metadata.namespace");
      }
    });
    if (docs.containsKey("namespace.yaml")) {
      assertEquals(NAMESPACE, manifest("Namespace", null).path("metadata").path("name").asText());
    }
  }

  @Test
  void theStatefulSetAndBothServicesSelectTheSamePods() {
    JsonNode spec = statefulSet().path("spec");
    assertEquals(3, spec.path("replicas").asInt());
    assertEquals("Parallel", spec.path("podManagementPolicy").asText());
    selectsThePods(spec.path("selector").path("matchLabels"), "the StatefulSet");
    JsonNode members = manifest("Service", spec.path("serviceName").asText());
    JsonNode traffic = manifest("Service", "tandem");
    selectsThePods(members.path("spec").path("selector"), "the members Service");
    selectsThePods(traffic.path("spec").path("selector"), "the traffic Service");
    assertEquals(map(spec.path("selector").path("matchLabels")), map(members.path("spec").path("selector")));
    assertEquals(map(spec.path("selector").path("matchLabels")), map(traffic.path("spec").path("selector")));
  }

  @Test
  void theMembersServiceIsHeadlessAndPublishesPodsBeforeTheyAreReady() throws IOException {
    String serviceName = statefulSet().path("spec").path("serviceName").asText();
    JsonNode members = manifest("Service", serviceName).path("spec");
    assertEquals("None", members.path("clusterIP").asText());
    assertTrue(members.path("publishNotReadyAddresses").asBoolean());
    assertEquals(1, members.path("ports").size());
    JsonNode port = members.path("ports").get(0);
    int clusterPort = tandemYaml().path("cluster").path("port").asInt();
    assertEquals(clusterPort, port.path("port").asInt());
    assertEquals(clusterPort, resolve(port.path("targetPort")));
  }

  @Test
  void theConfigNamesTheMembersServiceByItsClusterDnsName() throws IOException {
    JsonNode cluster = tandemYaml().path("cluster");
    String serviceName = statefulSet().path("spec").path("serviceName").asText();
    assertEquals("dns", cluster.path("discovery").asText());
    assertEquals(serviceName + "." + NAMESPACE + ".svc.cluster.local", cluster.path("members").asText());
    assertEquals("${POD_IP}", cluster.path("address").asText());
    JsonNode env = container().path("env");
    Map<String, String> fields = new LinkedHashMap<>();
    env.forEach(e -> fields.put(e.path("name").asText(), e.path("valueFrom").path("fieldRef").path("fieldPath")
        .asText(null)));
    assertEquals("status.podIP", fields.get("POD_IP"));
    assertEquals("metadata.name", fields.get("POD_NAME"));
  }

  @Test
  void theContainerPortsAreTheConfiguredOnes() throws IOException {
    JsonNode config = tandemYaml();
    JsonNode listeners = config.path("listeners");
    assertEquals(1, listeners.size());
    assertEquals("0.0.0.0:8080", listeners.get(0).path("bind").asText());
    assertEquals(portOf(listeners.get(0).path("bind").asText()), containerPort("http"));
    assertEquals("0.0.0.0:9090", config.path("admin").path("listen").asText());
    assertEquals(portOf(config.path("admin").path("listen").asText()), containerPort("admin"));
    assertEquals(config.path("cluster").path("port").asInt(), containerPort("cluster"));
    assertEquals(3, container().path("ports").size());

    JsonNode traffic = manifest("Service", "tandem").path("spec").path("ports");
    assertEquals(1, traffic.size());
    assertEquals(80, traffic.get(0).path("port").asInt());
    assertEquals(containerPort("http"), resolve(traffic.get(0).path("targetPort")));
  }

  @Test
  void theProbesAskTheAdminListenerForReadyzAndHealthz() throws IOException {
    int admin = portOf(tandemYaml().path("admin").path("listen").asText());
    Map<String, String> paths = Map.of("readinessProbe", "/readyz", "livenessProbe", "/healthz",
        "startupProbe", "/healthz");
    paths.forEach((probe, path) -> {
      JsonNode get = container().path(probe).path("httpGet");
      assertEquals(path, get.path("path").asText(), probe);
      assertEquals(admin, resolve(get.path("port")), probe);
      assertFalse(get.has("httpHeaders"), probe + " sends no token: the probes never need one");
    });
  }

  @Test
  void theArgsAreTheNodesRealCommandLineWithTheConfigMapsFileAndThePodName() {
    JsonNode args = container().path("args");
    assertTrue(container().path("command").isMissingNode(), "the image's entrypoint (the launcher) runs");
    List<String> words = new ArrayList<>();
    args.forEach(a -> words.add(a.asText().replace("$(POD_NAME)", "tandem-0")));

    ParseResult parsed = new CommandLine(new Main(Launcher.production())).parseArgs(words.toArray(String[]::new));

    Path config = parsed.matchedOptionValue("--config", null);
    assertEquals(Path.of("/etc/tandem/tandem.yaml"), config);
    assertEquals("tandem-0", parsed.matchedOptionValue("--node", null));
    assertFalse(parsed.hasMatchedOption("--check-config"));
    JsonNode configMapVolume = volumes("configMap").get(0);
    assertEquals(manifest("ConfigMap", null).path("metadata").path("name").asText(),
        configMapVolume.path("configMap").path("name").asText());
    assertFalse(configMapVolume.path("configMap").has("items"), "the whole ConfigMap, so tandem.yaml is there");
    assertEquals(Path.of(mountPath(configMapVolume.path("name").asText()), "tandem.yaml"), config);
  }

  @Test
  void theTokenFileIsTheSecretsKeyInItsMount() throws IOException {
    String tokenFile = tandemYaml().path("admin").path("token-file").asText();
    assertFalse(tandemYaml().path("admin").has("token"), "no inline token in the ConfigMap");
    List<JsonNode> secrets = volumes("secret");
    assertEquals(1, secrets.size());
    JsonNode volume = secrets.get(0);
    String mount = mountPath(volume.path("name").asText());
    assertTrue(under(tokenFile, mount), tokenFile + " under " + mount);
    JsonNode secret = manifest("Secret", volume.path("secret").path("secretName").asText());
    assertEquals("Opaque", secret.path("type").asText());
    String key = tokenFile.substring(mount.length() + 1);
    assertTrue(secret.path("stringData").has(key), "the Secret has the key " + key);
    assertTrue(secret.path("stringData").path(key).asText().length() >= 16, "a token the node accepts (16+)");
    assertFalse(under(mount, mountPath(volumes("configMap").get(0).path("name").asText())),
        "the Secret is not mounted inside the read-only ConfigMap mount");
  }

  @Test
  void theConfigInsideIsOneDocumentWithTheDnsDiscoveryShape() throws IOException {
    JsonNode config = tandemYaml();
    assertNotNull(config);
    assertEquals("2s", config.path("dns").path("timeout").asText());
    JsonNode pool = config.path("pools").get(0);
    assertEquals("web", pool.path("name").asText());
    assertEquals("web.tandem.svc.cluster.local", pool.path("discover").get(0).path("name").asText());
    assertEquals(8080, pool.path("discover").get(0).path("port").asInt());
    assertTrue(config.path("access-log").path("enabled").asBoolean());
  }

  /** The configuration inside the ConfigMap loads with the node's real loader, as pod tandem-0 would. */
  @Test
  void configInsideLoads() throws Exception {
    // The token file the pod reads from the Secret's mount, here in the temp dir with the Secret's value.
    String tokenFile = tandemYaml().path("admin").path("token-file").asText();
    String token = manifest("Secret", null).path("stringData")
        .path(Path.of(tokenFile).getFileName().toString()).asText();
    Path secret = Files.writeString(dir.resolve("admin.token"), token);
    Path file = Files.writeString(dir.resolve("tandem.yaml"), configMapText().replace(tokenFile, secret.toString()));
    UnaryOperator<String> env = name -> name.equals("POD_IP") ? "10.0.0.10" : null;

    TandemConfig config = ConfigLoader.load(file, "tandem-0", env);

    assertEquals("tandem-0", config.cluster().nodeId());
    assertEquals(2, config.cluster().minMembers());
    assertEquals(Path.of("/var/lib/tandem/tandem-0.state.json"), config.cluster().stateFile());
    assertEquals(9090, config.admin().port());
    assertEquals(token, config.admin().token());
    assertEquals(new io.tandem.config.ClusterConfig.MemberDiscovery("tandem-members.tandem.svc.cluster.local", 5701),
        config.cluster().members());
    assertEquals("10.0.0.10", config.cluster().self().clusterHost());
    assertEquals(List.of(new io.tandem.config.DiscoverConfig(io.tandem.config.DiscoverConfig.Type.ANY,
        "web.tandem.svc.cluster.local", 8080, 1, 0, Duration.ofSeconds(1), Duration.ofSeconds(30),
        Duration.ofSeconds(30))), config.pool("web").orElseThrow().discover());
  }
}
