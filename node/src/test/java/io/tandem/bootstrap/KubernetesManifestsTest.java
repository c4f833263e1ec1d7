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

/**
 * The manifests in {@code deploy/kubernetes/} agree with each other, with the node configuration in their ConfigMap,
 * with the node's command line and with the launcher's JVM settings: labels and selectors, the headless members
 * Service, ports, probes, the token's Secret, the disruption budget and quorum, the image's entrypoint.
 */
class KubernetesManifestsTest {
  @TempDir
  Path dir;

  private static final Path DIR = Path.of("../deploy/kubernetes"); // surefire runs in node/
  private static final Path LAUNCHER_SCRIPT = Path.of("src/main/scripts/tandem");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String NAMESPACE = "tandem";

  /** Every document of every {@code *.yaml} file, by file name. */
  private static Map<String, List<JsonNode>> documents() throws IOException {
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
  private static JsonNode manifest(String kind, String name) {
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

  private static JsonNode statefulSet() {
    return manifest("StatefulSet", null);
  }

  private static JsonNode podSpec() {
    return statefulSet().path("spec").path("template").path("spec");
  }

  private static JsonNode container() {
    JsonNode containers = podSpec().path("containers");
    assertEquals(1, containers.size(), "containers");
    return containers.get(0);
  }

  /** The node configuration inside the ConfigMap, as a YAML tree. */
  private static JsonNode tandemYaml() throws IOException {
    return YAML.readTree(configMapText());
  }

  private static String configMapText() {
    JsonNode text = manifest("ConfigMap", null).path("data").path("tandem.yaml");
    assertTrue(text.isTextual(), "the ConfigMap has the key tandem.yaml");
    return text.asText();
  }

  private static Map<String, String> map(JsonNode node) {
    Map<String, String> m = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  private static Map<String, String> podLabels() {
    return map(statefulSet().path("spec").path("template").path("metadata").path("labels"));
  }

  /** True when every label of {@code selector} (non-empty) is on the pods. */
  private static void selectsThePods(JsonNode selector, String what) {
    Map<String, String> wanted = map(selector);
    assertFalse(wanted.isEmpty(), what + " has a selector");
    Map<String, String> labels = podLabels();
    wanted.forEach((k, v) -> assertEquals(v, labels.get(k), what + " selects label " + k));
  }

  /** The container port called {@code name}. */
  private static int containerPort(String name) {
    for (JsonNode p : container().path("ports")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + name);
  }

  /** A port given by number or by the container port's name. */
  private static int resolve(JsonNode port) {
    return port.isInt() ? port.asInt() : containerPort(port.asText());
  }

  private static int portOf(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** The mount path of the volume {@code volume} in the container. */
  private static String mountPath(String volume) {
    for (JsonNode m : container().path("volumeMounts")) {
      if (m.path("name").asText().equals(volume)) {
        return m.path("mountPath").asText();
      }
    }
    throw new AssertionError("volume " + volume + " is not mounted");
  }

  /** The name of the pod volume with a {@code type} source ({@code configMap}, {@code secret}, {@code emptyDir}). */
  private static List<JsonNode> volumes(String type) {
    List<JsonNode> found = new ArrayList<>();
    podSpec().path("volumes").forEach(v -> {
      if (v.has(type)) {
        found.add(v);
      }
    });
    return found;
  }

  private static boolean under(String path, String dir) {
    return path.startsWith(dir.endsWith("/") ? dir : dir + "/");
  }

  /** Durations as the configuration writes them here: whole seconds ({@code 30s}). */
  private static Duration seconds(String text) {
    Matcher m = Pattern.compile("(\\d+)s").matcher(text);
    assertTrue(m.matches(), "a duration in whole seconds: " + text);
    return Duration.ofSeconds(Long.parseLong(m.group(1)));
  }

  private static long mebibytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
    assertTrue(m.matches(), "a quantity in Mi or Gi: " + quantity);
    return Long.parseLong(m.group(1)) * (m.group(2).equals("Gi") ? 1024 : 1);
  }

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
  void theBudgetKeepsQuorumAndStillLetsOnePodGo() throws IOException {
    JsonNode pdb = manifest("PodDisruptionBudget", null).path("spec");
    selectsThePods(pdb.path("selector").path("matchLabels"), "the PodDisruptionBudget");
    int minMembers = tandemYaml().path("cluster").path("min-members").asInt();
    int minAvailable = pdb.path("minAvailable").asInt();
    int replicas = statefulSet().path("spec").path("replicas").asInt();
    assertEquals(2, minMembers);
    assertTrue(minAvailable >= minMembers, "minAvailable " + minAvailable + " >= min-members " + minMembers);
    assertTrue(minAvailable < replicas, "a drain can still evict one pod");
  }

  @Test
  void theGracePeriodOutlastsThePreStopPauseAndTheDrain() throws IOException {
    JsonNode drain = tandemYaml().path("node").path("drain-timeout");
    Duration drainTimeout = drain.isMissingNode() ? NodeSettings.DEFAULTS.drainTimeout() : seconds(drain.asText());
    JsonNode preStop = container().path("lifecycle").path("preStop").path("exec").path("command");
    assertEquals("sleep", preStop.get(0).asText());
    Duration pause = Duration.ofSeconds(preStop.get(1).asLong());
    Duration grace = Duration.ofSeconds(podSpec().path("terminationGracePeriodSeconds").asLong());
    assertTrue(grace.compareTo(pause.plus(drainTimeout)) > 0, grace + " > " + pause + " + " + drainTimeout);
  }

  @Test
  void theMemoryLimitHoldsEveryAreaTheLauncherCaps() throws IOException {
    String launcher = Files.readString(LAUNCHER_SCRIPT);
    long capped = 0;
    for (String flag : List.of("-Xmx", "-XX:MaxMetaspaceSize=", "-XX:ReservedCodeCacheSize=",
        "-XX:MaxDirectMemorySize=")) {
      Matcher m = Pattern.compile(Pattern.quote(flag) + "(\\d+)m").matcher(launcher);
      assertTrue(m.find(), "the launcher sets " + flag);
      capped += Long.parseLong(m.group(1));
    }
    JsonNode resources = container().path("resources");
    long limit = mebibytes(resources.path("limits").path("memory").asText());
    long request = mebibytes(resources.path("requests").path("memory").asText());
    assertTrue(limit > capped + 64, "limit " + limit + "Mi leaves room beyond the capped " + capped + "Mi");
    assertTrue(request >= 177 && request <= limit, "request " + request + "Mi covers the measured peak RSS");
    assertTrue(resources.path("requests").has("cpu") && resources.path("limits").has("cpu"));
  }

  @Test
  void thePodRunsUnprivilegedOnAReadOnlyRootWithItsWritablePlacesMounted() throws IOException {
    JsonNode pod = podSpec().path("securityContext");
    JsonNode sc = container().path("securityContext");
    assertTrue(pod.path("runAsNonRoot").asBoolean());
    assertTrue(pod.path("runAsUser").asInt() > 0);
    assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true));
    assertTrue(sc.path("readOnlyRootFilesystem").asBoolean());
    assertEquals("ALL", sc.path("capabilities").path("drop").get(0).asText());
    // The state file and the JVM's working directory, and /tmp (Netty's native libraries), are emptyDirs.
    List<String> emptyDirs = volumes("emptyDir").stream().map(v -> mountPath(v.path("name").asText())).toList();
    assertTrue(emptyDirs.contains("/tmp"), emptyDirs.toString());
    String stateFile = tandemYaml().path("cluster").path("state-file").asText();
    assertTrue(emptyDirs.stream().anyMatch(dir -> under(stateFile, dir)), stateFile + " on an emptyDir");
    JsonNode anti = podSpec().path("affinity").path("podAntiAffinity")
        .path("preferredDuringSchedulingIgnoredDuringExecution").get(0).path("podAffinityTerm");
    assertEquals("kubernetes.io/hostname", anti.path("topologyKey").asText());
    selectsThePods(anti.path("labelSelector").path("matchLabels"), "the anti-affinity");

    // The image runs the launcher as the same user from the working directory the state file is in.
    String dockerfile = Files.readString(DIR.resolve("Dockerfile"));
    assertTrue(dockerfile.contains("\nFROM eclipse-temurin:17-jre\n"));
    assertTrue(dockerfile.contains("\nENTRYPOINT [\"/opt/tandem/tandem\"]\n"));
    assertTrue(dockerfile.contains("\nUSER " + pod.path("runAsUser").asInt() + ":" + pod.path("runAsGroup").asInt()
        + "\n"));
    assertTrue(dockerfile.contains("\nWORKDIR " + Path.of(stateFile).getParent() + "\n"));
    assertTrue(dockerfile.contains("\nCOPY node/target/lib/ /opt/tandem/lib/\n"));
    assertTrue(dockerfile.contains("\nCOPY node/target/tandem.jar node/target/tandem /opt/tandem/\n"));
  }

  @Test
  void onlyTandemPodsReachTheClusterPort() {
    JsonNode policy = manifest("NetworkPolicy", null).path("spec");
    selectsThePods(policy.path("podSelector").path("matchLabels"), "the NetworkPolicy");
    boolean clusterRuleFound = false;
    for (JsonNode rule : policy.path("ingress")) {
      List<Integer> ports = new ArrayList<>();
      rule.path("ports").forEach(p -> ports.add(resolve(p.path("port"))));
      if (ports.contains(containerPort("cluster"))) {
        clusterRuleFound = true;
        assertEquals(List.of(containerPort("cluster")), ports, "the cluster port's rule is its own");
        assertEquals(1, rule.path("from").size());
        selectsThePods(rule.path("from").get(0).path("podSelector").path("matchLabels"), "the cluster port's peers");
      } else {
        assertTrue(ports.contains(containerPort("http")) || ports.contains(containerPort("admin")), ports.toString());
      }
    }
    assertTrue(clusterRuleFound);
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
