package io.tandem.bootstrap;

import io.tandem.config.ConfigError;
import io.tandem.config.ConfigException;
import io.tandem.config.ConfigLoader;
import io.tandem.config.ListenerConfig;
import io.tandem.config.TandemConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem demo}: three demo backends and three nodes of one cluster in front of them, in this JVM, with curl
 * lines showing that a client sticks to one backend through any node. {@code tandem demo --single} runs the older
 * single-node demo instead. Each uses its file under {@code config/} in the working directory when present, else the
 * copy bundled in the jar.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Runs demo backends b1, b2, b3 (127.0.0.1:19001-19003) and three nodes of one",
        "cluster in front of them (n1, n2, n3 on 127.0.0.1:18081-18083), and prints curl",
        "lines to try. Reads ./config/local-cluster.yaml if present, else the copy in",
        "the jar. Stop with Ctrl-C."})
final class DemoCommand implements Callable<Integer> {
  static final String DEMO_YAML = "config/demo.yaml";
  static final String BUNDLED_DEMO_YAML = "/io/tandem/config/examples/demo.yaml";
  static final String CLUSTER_YAML = "config/local-cluster.yaml";
  static final String BUNDLED_CLUSTER_YAML = "/io/tandem/config/examples/local-cluster.yaml";
  static final List<String> NODE_IDS = List.of("n1", "n2", "n3");
  private static final String COOKIE_JAR = "/tmp/tandem-demo-cookies.txt";

  @Spec
  private CommandSpec spec;

  @Option(names = "--single", description = {"one node in front of the backends (127.0.0.1:19101-19103),",
      "from ./config/demo.yaml if present, else the copy in the jar"})
  private boolean single;

  private final Launcher launcher;
  private final Path workingDir;
  private final List<Integer> singleBackendPorts;
  private final List<Integer> clusterBackendPorts;

  /** Production: the backends on {@link DemoBackends#CLUSTER_PORTS}, or {@code singleBackendPorts} with --single. */
  DemoCommand(Launcher launcher, Path workingDir, List<Integer> singleBackendPorts) {
    this(launcher, workingDir, singleBackendPorts, DemoBackends.CLUSTER_PORTS);
  }

  /** Tests pass zeros, or the free ports their configuration names, for the backends. */
  DemoCommand(Launcher launcher, Path workingDir, List<Integer> singleBackendPorts,
      List<Integer> clusterBackendPorts) {
    this.launcher = launcher;
    this.workingDir = workingDir;
    this.singleBackendPorts = List.copyOf(singleBackendPorts);
    this.clusterBackendPorts = List.copyOf(clusterBackendPorts);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Vertx vertx = Vertx.vertx();
    try {
      DemoBackends backends;
      try {
        backends = Launcher.await(DemoBackends.start(vertx, single ? singleBackendPorts : clusterBackendPorts));
      } catch (Exception e) {
        err.println("tandem demo: " + e.getMessage());
        return ExitCodes.START_FAILED;
      }
      if (single) {
        ConfigSource source = configSource(workingDir, launcher);
        return launcher.run(source, err, process -> print(out, instructions(source, process.node(), backends)));
      }
      DemoCluster cluster = new DemoCluster(clusterName(workingDir), clusterSources(workingDir, launcher),
          launcher.starter(), id -> print(out, "Starting node " + id + " (joining the cluster takes a few seconds)...\n"));
      Launcher clusterLauncher = new Launcher(launcher.configFiles(), config -> cluster.start(), launcher.signals());
      return clusterLauncher.run(cluster.source(), err,
          process -> print(out, clusterInstructions(cluster, backends)));
    } finally {
      vertx.close();
    }
  }

  private static void print(PrintWriter out, String text) {
    out.print(text);
    out.flush();
  }

  /** {@code config/demo.yaml} under {@code workingDir} if it exists, else the bundled copy. */
  static ConfigSource configSource(Path workingDir, Launcher launcher) {
    Path file = workingDir.resolve(DEMO_YAML);
    return Files.isRegularFile(file)
        ? launcher.configFiles().open(file, null)
        : ConfigSource.classpath(BUNDLED_DEMO_YAML);
  }

  /**
   * One source per node of {@link #NODE_IDS}: {@code config/local-cluster.yaml} under {@code workingDir} read for that
   * node if the file exists, else the bundled copy.
   */
  static List<ConfigSource> clusterSources(Path workingDir, Launcher launcher) {
    Path file = workingDir.resolve(CLUSTER_YAML);
    boolean present = Files.isRegularFile(file);
    return NODE_IDS.stream()
        .map(id -> present ? launcher.configFiles().open(file, id) : bundled(BUNDLED_CLUSTER_YAML, id))
        .toList();
  }

  /** How messages name the cluster file: its path, or the bundled resource. */
  static String clusterName(Path workingDir) {
    Path file = workingDir.resolve(CLUSTER_YAML);
    return Files.isRegularFile(file) ? file.toString() : "classpath:" + BUNDLED_CLUSTER_YAML;
  }

  /** A cluster file inside the jar, read for node {@code nodeId}. */
  static ConfigSource bundled(String resource, String nodeId) {
    String name = "classpath:" + resource + " (node " + nodeId + ")";
    return ConfigSource.of(name, () -> {
      try (InputStream in = DemoCommand.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new ConfigException(List.of(new ConfigError(name, "", "not found (the jar was built without it)")));
        }
        return ConfigLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name, nodeId);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a resource inside our own jar
      }
    });
  }

  /** What to try with the single-node demo, printed once the node is up. */
  static String instructions(ConfigSource source, RunningNode node, DemoBackends backends) {
    String url = url(node);
    String jar = COOKIE_JAR;
    return String.join("\n",
        "Tandem demo is running (configuration: " + source.name() + ").",
        "Backends b1, b2, b3 listen on " + backendPorts(backends) + "; the balancer on " + url + ".",
        "Try:",
        "  curl -i " + url + "/                                 # default pool: b1, b2 or b3",
        "  curl -i " + url + "/video/x                          # the /video route: always the same backend",
        "  curl -i -H 'Host: billing.example.com' " + url + "/  # the billing host: its own backend",
        "  curl -i -c " + jar + " -b " + jar + " " + url + "/   # twice: the cookie keeps you on one backend",
        "Stop with Ctrl-C (a second Ctrl-C stops at once).",
        "");
  }

  /** What to try with the three nodes, printed once all are up. */
  static String clusterInstructions(DemoCluster cluster, DemoBackends backends) {
    List<String> urls = cluster.nodes().stream().map(DemoCommand::url).toList();
    List<String> lines = new ArrayList<>();
    lines.add("Tandem demo is running: nodes " + String.join(", ", cluster.ids()) + " of one cluster (configuration: "
        + cluster.source().name() + ").");
    lines.add("Backends b1, b2, b3 listen on " + backendPorts(backends) + ".");
    for (int i = 0; i < urls.size(); i++) {
      lines.add("  node " + cluster.ids().get(i) + ": " + urls.get(i) + "/");
    }
    lines.add("Try, to see one client stick to one backend through any node:");
    lines.add("  curl -i -c " + COOKIE_JAR + " " + urls.get(0) + "/login"
        + "   # the backend sets JSESSIONID, Tandem adds TANDEM_SERVER");
    for (String url : urls.subList(1, urls.size())) {
      lines.add("  curl -b " + COOKIE_JAR + " " + url + "/   # through another node: the same backend");
    }
    lines.add("  curl -H 'Cookie: JSESSIONID=<the value from /login>' " + urls.get(urls.size() - 1) + "/"
        + "   # the learned session alone is enough");
    lines.add("  curl " + urls.get(1) + "/   # no cookie: any backend");
    lines.add("Stop with Ctrl-C: every node drains and stops (a second Ctrl-C stops at once).");
    return String.join("\n", lines) + "\n";
  }

  private static String backendPorts(DemoBackends backends) {
    return DemoBackends.HOST + " ports " + backends.port(0) + ", " + backends.port(1) + ", " + backends.port(2);
  }

  /** {@code http://host:port} of a node's first listener (127.0.0.1 when it listens on every address). */
  private static String url(RunningNode node) {
    ListenerConfig listener = node.config().listeners().get(0);
    String host = "0.0.0.0".equals(listener.host()) ? "127.0.0.1" : listener.host();
    return "http://" + host + ":" + node.port(listener.name());
  }

  /**
   * The demo's nodes seen as one by {@link Launcher} and {@link NodeProcess}: it starts them one after the other
   * (the first becomes the oldest member), stops them all together, and on reload re-reads each node's source and
   * reloads every node only when all are valid. The configuration it reports is the first node's.
   */
  static final class DemoCluster implements RunningNode {
    private final List<ConfigSource> sources;
    private final ConfigSource source;
    private final Launcher.Starter starter;
    private final Consumer<String> starting;
    private final List<RunningNode> nodes = new CopyOnWriteArrayList<>();

    DemoCluster(String name, List<ConfigSource> sources, Launcher.Starter starter, Consumer<String> starting) {
      this.sources = List.copyOf(sources);
      this.source = ConfigSource.of(name, () -> readAll().get(0));
      this.starter = starter;
      this.starting = starting;
    }

    /** Reads every node's configuration (validating all of them) and returns the first. */
    ConfigSource source() {
      return source;
    }

    private List<TandemConfig> readAll() throws ConfigException {
      List<TandemConfig> configs = new ArrayList<>();
      for (ConfigSource each : sources) {
        configs.add(each.read());
      }
      return configs;
    }

    /**
     * Starts every node, blocking the calling thread (joining Hazelcast blocks); if one fails, the nodes already
     * started are stopped and the future fails naming the node.
     */
    Future<RunningNode> start() {
      List<TandemConfig> configs;
      try {
        configs = readAll();
      } catch (ConfigException e) {
        return Future.failedFuture(e);
      }
      for (int i = 0; i < configs.size(); i++) {
        String id = ids().get(i);
        starting.accept(id);
        try {
          nodes.add(Launcher.await(starter.start(configs.get(i))));
        } catch (Exception e) {
          String why = "node " + id + ": " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage());
          return shutdown(Duration.ZERO).transform(ignored -> Future.failedFuture(why));
        }
      }
      return Future.succeededFuture(this);
    }

    List<String> ids() {
      return NODE_IDS.subList(0, sources.size());
    }

    List<RunningNode> nodes() {
      return List.copyOf(nodes);
    }

    @Override
    public Future<Void> reload(TandemConfig first) {
      List<TandemConfig> configs;
      try {
        configs = readAll();
      } catch (ConfigException e) {
        return Future.failedFuture(e);
      }
      List<Future<Void>> reloads = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        reloads.add(nodes.get(i).reload(configs.get(i)));
      }
      return Future.all(reloads).mapEmpty();
    }

    @Override
    public Future<Void> shutdown(Duration drain) {
      return Future.join(nodes.stream().map(node -> node.shutdown(drain)).toList()).mapEmpty();
    }

    @Override
    public int port(String listenerName) {
      return nodes.get(0).port(listenerName);
    }

    @Override
    public TandemConfig config() {
      return nodes.get(0).config();
    }
  }
}
