package io.tandem.bootstrap;

import io.tandem.config.ConfigException;
import io.tandem.ctl.CtlCommand;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code tandem} command line: runs a node, checks a configuration, or runs the demo. */
@Command(
    name = "tandem",
    mixinStandardHelpOptions = true,
    versionProvider = Main.ManifestVersion.class,
    description = {
        "Runs a Tandem load balancer node.",
        "Signals: HUP reloads the configuration file; TERM or INT stops gracefully (a second one stops at once)."},
    exitCodeOnExecutionException = ExitCodes.START_FAILED,
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
        "0:stopped cleanly, or the configuration is valid",
        "1:invalid configuration",
        "2:invalid command line",
        "3:failed to start (for example a port already in use)",
        "4:stopped without finishing the drain (second stop signal)"})
public final class Main implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "configuration file (YAML)")
  private Path config;

  @Option(names = "--check-config", description = {"check the configuration file and exit (0 when valid);",
      "without --node, once for each node it defines"})
  private boolean checkConfig;

  @Option(names = "--node", paramLabel = "ID", description = "which of the file's nodes this process is")
  private String node;

  private final Launcher launcher;

  Main(Launcher launcher) {
    this.launcher = launcher;
  }

  public static void main(String[] args) {
    // The terminal's charset, as before: stated, not implied (DefaultCharset).
    int code = run(Launcher.production(), args, new PrintWriter(System.out, true, Charset.defaultCharset()),
        new PrintWriter(System.err, true, Charset.defaultCharset()));
    System.exit(code);
  }

  /** Parses {@code args}, runs the command and returns the exit code; never calls {@link System#exit}. */
  static int run(Launcher launcher, String[] args, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new Main(launcher))
        .addSubcommand("demo", new DemoCommand(launcher, Path.of(""), DemoBackends.DEMO_PORTS))
        .addSubcommand("ctl", CtlCommand.commandLine(System.getenv()))
        .addSubcommand("release-vips", new ReleaseVipsCommand())
        .setOut(out)
        .setErr(err);
    int code = commandLine.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    if (config == null) {
      throw new ParameterException(spec.commandLine(), "Missing required option: '--config=FILE'");
    }
    ConfigSource source = launcher.configFiles().open(config, node);
    if (!checkConfig) {
      return launcher.run(source, spec.commandLine().getErr(), process -> {});
    }
    List<String> nodes = node == null ? source.nodeIds() : List.of();
    if (nodes.isEmpty()) {
      return check(source) ? ExitCodes.OK : ExitCodes.BAD_CONFIG;
    }
    boolean valid = true;
    for (String id : nodes) {
      valid &= check(launcher.configFiles().open(config, id));
    }
    return valid ? ExitCodes.OK : ExitCodes.BAD_CONFIG;
  }

  /** Reads {@code source} and prints that it is valid, or every error; true when valid. */
  private boolean check(ConfigSource source) {
    try {
      source.read();
    } catch (ConfigException e) {
      Launcher.printErrors(spec.commandLine().getErr(), source, e);
      return false;
    }
    spec.commandLine().getOut().println(source.name() + ": configuration OK");
    return true;
  }

  /** The version from the jar manifest ({@code Implementation-Version}); "dev" when run from classes. */
  static final class ManifestVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tandem " + (version == null ? "dev" : version)};
    }
  }
}
