package io.tandem.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.NodeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * {@code deploy/systemd/tandem@.service} runs the launcher with flags that {@link Main} accepts, and the cluster
 * configuration in {@code deploy/README.md} is valid for every node.
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("../deploy"); // surefire runs in node/
  private static final Path UNIT = DEPLOY.resolve("systemd/tandem@.service");

  @TempDir
  Path dir;
  private static final String LAUNCHER = "/opt/tandem/tandem";

  private static List<String> lines() throws IOException {
    return Files.readAllLines(UNIT);
  }

  /** The values of {@code key=} lines, in order. */
  private static List<String> values(String key) throws IOException {
    return lines().stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).toList();
  }

  /** A command line of the unit as the instance {@code n1} runs it, without the launcher. */
  private static String[] args(String command) {
    String[] words = command.replace("%i", "n1").split(" ");
    assertEquals(LAUNCHER, words[0], command);
    return Arrays.copyOfRange(words, 1, words.length);
  }

  @Test
  void startRunsTheNodeNamedByTheInstanceFromTheSharedFile() throws IOException {
    List<String> starts = values("ExecStart");
    assertEquals(List.of(LAUNCHER + " --config /etc/tandem/tandem.yaml --node %i"), starts);

    ParseResult parsed = new CommandLine(new Main(Launcher.production())).parseArgs(args(starts.get(0)));

    assertEquals(Path.of("/etc/tandem/tandem.yaml"), parsed.matchedOptionValue("--config", null));
    assertEquals("n1", parsed.matchedOptionValue("--node", null));
    assertEquals(false, parsed.hasMatchedOption("--check-config"));
  }

  @Test
  void theChecksBeforeStartAndReloadAreAcceptedAndPassOnAValidClusterFile() throws IOException {
    List<String> checks = values("ExecStartPre");
    List<String> reloads = values("ExecReload");
    assertEquals(List.of(checks.get(0), "/bin/kill -HUP $MAINPID"), reloads);
    Path cluster = Path.of("../config/local-cluster.yaml");

    String[] args = args(checks.get(0).replace("/etc/tandem/tandem.yaml", cluster.toString()));
    CommandRun run = CommandRun.of(Launcher.production(), args);

    assertEquals(new CommandRun(0, cluster + " (node n1): configuration OK" + System.lineSeparator(), ""), run);
  }

  @Test
  void stopWaitsLongerThanTheDefaultDrainAndIsGraceful() throws IOException {
    assertEquals(List.of("SIGTERM"), values("KillSignal"));
    Duration stop = Duration.ofSeconds(Long.parseLong(values("TimeoutStopSec").get(0)));
    assertTrue(stop.compareTo(NodeSettings.DEFAULTS.drainTimeout()) > 0, stop.toString());
    assertEquals(List.of("on-failure"), values("Restart"));
    assertEquals(List.of(String.valueOf(ExitCodes.BAD_CONFIG)), values("RestartPreventExitStatus"));
    assertEquals(List.of("tandem"), values("User"));
  }

  @Test
  void theReadmeClusterFilePassesTheCheckForEveryNode() throws IOException {
    String readme = Files.readString(DEPLOY.resolve("README.md"));
    int start = readme.indexOf("```yaml\n") + "```yaml\n".length();
    Path file = Files.writeString(dir.resolve("tandem.yaml"), readme.substring(start, readme.indexOf("```", start)));

    CommandRun run = CommandRun.of(Launcher.production(), "--config", file.toString(), "--check-config");

    String nl = System.lineSeparator();
    assertEquals(new CommandRun(0, file + " (node n1): configuration OK" + nl + file + " (node n2): configuration OK"
        + nl + file + " (node n3): configuration OK" + nl, ""), run);
  }

  @Test
  void afterAnyStopTheUnitRemovesTheNodesVipsAndItHasTheCapabilitiesVipsNeed() throws IOException {
    List<String> post = values("ExecStopPost");
    assertEquals(List.of(LAUNCHER + " release-vips --config /etc/tandem/tandem.yaml --node %i"), post);

    ParseResult parsed = new CommandLine(new Main(Launcher.production()))
        .addSubcommand("release-vips", new ReleaseVipsCommand()).parseArgs(args(post.get(0)));

    ParseResult sub = parsed.subcommand();
    assertEquals("release-vips", sub.commandSpec().name());
    assertEquals("n1", sub.matchedOptionValue("--node", null));
    assertEquals(List.of("CAP_NET_BIND_SERVICE CAP_NET_ADMIN CAP_NET_RAW"), values("AmbientCapabilities"));
  }
}
