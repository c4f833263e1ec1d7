package io.tandem.bootstrap;

import io.tandem.config.ListenerConfig;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tandem demo}: three demo backends plus a node in front of them, with curl lines to try. Uses
 * {@code config/demo.yaml} from the working directory when present, else the copy bundled in the jar.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Runs three demo backends and a node in front of them, and prints curl lines to try.",
        "Backends b1, b2, b3 listen on 127.0.0.1:19101-19103; the node uses ./config/demo.yaml if present,",
        "else the copy in the jar. Stop with Ctrl-C."})
final class DemoCommand implements Callable<Integer> {
  static final String DEMO_YAML = "config/demo.yaml";
  static final String BUNDLED_DEMO_YAML = "/io/tandem/config/examples/demo.yaml";

  @Spec
  private CommandSpec spec;

  private final Launcher launcher;
  private final Path workingDir;
  private final List<Integer> backendPorts;

  /** {@code backendPorts}: {@link DemoBackends#DEMO_PORTS}, or zeros in tests. */
  DemoCommand(Launcher launcher, Path workingDir, List<Integer> backendPorts) {
    this.launcher = launcher;
    this.workingDir = workingDir;
    this.backendPorts = List.copyOf(backendPorts);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Vertx vertx = Vertx.vertx();
    try {
      DemoBackends backends;
      try {
        backends = Launcher.await(DemoBackends.start(vertx, backendPorts));
      } catch (Exception e) {
        err.println("tandem demo: " + e.getMessage());
        return ExitCodes.START_FAILED;
      }
      ConfigSource source = configSource(workingDir, launcher);
      return launcher.run(source, err, process -> {
        out.print(instructions(source, process.node(), backends));
        out.flush();
      });
    } finally {
      vertx.close();
    }
  }

  /** {@code config/demo.yaml} under {@code workingDir} if it exists, else the bundled copy. */
  static ConfigSource configSource(Path workingDir, Launcher launcher) {
    Path file = workingDir.resolve(DEMO_YAML);
    return Files.isRegularFile(file)
        ? launcher.configFiles().open(file, null)
        : ConfigSource.classpath(BUNDLED_DEMO_YAML);
  }

  /** What to try, printed once the node is up. */
  static String instructions(ConfigSource source, RunningNode node, DemoBackends backends) {
    ListenerConfig listener = node.config().listeners().get(0);
    String host = "0.0.0.0".equals(listener.host()) ? "127.0.0.1" : listener.host();
    String url = "http://" + host + ":" + node.port(listener.name());
    String jar = "/tmp/tandem-demo-cookies.txt";
    return String.join("\n",
        "Tandem demo is running (configuration: " + source.name() + ").",
        "Backends b1, b2, b3 listen on " + DemoBackends.HOST + " ports " + backends.port(0) + ", "
            + backends.port(1) + ", " + backends.port(2) + "; the balancer on " + url + ".",
        "Try:",
        "  curl -i " + url + "/                                 # default pool: b1, b2 or b3",
        "  curl -i " + url + "/video/x                          # the /video route: always the same backend",
        "  curl -i -H 'Host: billing.example.com' " + url + "/  # the billing host: its own backend",
        "  curl -i -c " + jar + " -b " + jar + " " + url + "/   # twice: the cookie keeps you on one backend",
        "Stop with Ctrl-C (a second Ctrl-C stops at once).",
        "");
  }
}
