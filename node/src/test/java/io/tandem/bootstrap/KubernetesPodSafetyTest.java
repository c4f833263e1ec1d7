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
 * The pods the manifests make survive a disruption and run confined: the budget keeps quorum, the grace period
 * outlasts the pre-stop pause and the drain, memory holds the launcher's areas, no privileges, a read-only root,
 * and only Tandem pods reach the cluster port.
 */
class KubernetesPodSafetyTest {
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
}
