package io.tandem.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.tls.pem.CertificateProblem;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code tandem ctl}: the command-line client of a node's admin API. Every subcommand is one API call; the answer is
 * printed as aligned tables (or as the API's JSON with {@code --json}) and the exit code says how it went, so that
 * scripts can test it:
 * <pre>
 * tandem ctl --admin http://10.0.0.1:9091 status
 * TANDEM_ADMIN_TOKEN=... tandem ctl --admin 10.0.0.1:9091 drain web b2 || echo "drain failed: $?"
 * </pre>
 */
@Command(
    name = "ctl",
    description = {"Talks to a node's admin API (any node answers for the whole cluster).",
        "Changes need the admin token: --token, --token-file, or the environment variable TANDEM_ADMIN_TOKEN.",
        "An https admin listener whose certificate a private CA signed needs that CA: --cacert FILE, or the",
        "environment variable TANDEM_ADMIN_CACERT."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
        "0:done",
        "1:invalid command line (or an unreadable token or --cacert file)",
        "2:the API refused the request (4xx: bad value, unknown pool or backend, missing or wrong token); its message is printed on stderr",
        "3:the admin API cannot be reached (or what answers is not the admin API)",
        "4:the change was made but not applied by every node within the API's apply timeout (504)",
        "5:the admin API failed (5xx other than 504)"})
public final class CtlCommand implements Callable<Integer> {
  public static final int OK = 0;
  public static final int USAGE = 1;
  public static final int REFUSED = 2;
  public static final int UNREACHABLE = 3;
  public static final int NOT_APPLIED = 4;
  public static final int API_FAILED = 5;
  /** The environment variable that holds the admin token when neither --token nor --token-file is given. */
  public static final String TOKEN_ENV = "TANDEM_ADMIN_TOKEN";
  /** The environment variable that names the CA file when --cacert is not given. */
  public static final String CACERT_ENV = "TANDEM_ADMIN_CACERT";

  @Spec
  private CommandSpec spec;

  @SuppressWarnings("unused")   // picocli reads it: usageHelp = true makes it print the usage itself
  @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "show this help")
  private boolean help;

  @Option(names = "--admin", required = true, scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "the node's admin listener, e.g. http://127.0.0.1:9091 (http:// may be left out)")
  private String admin;

  @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
      description = "admin token (visible in the process list: prefer --token-file or " + TOKEN_ENV + ")")
  private String token;

  @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "file holding the admin token")
  private Path tokenFile;

  @Option(names = "--cacert", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "PEM file of the CA certificate(s) to trust for an https admin listener, instead of the JVM's "
          + "trust store (or " + CACERT_ENV + ")")
  private Path cacert;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "print the API's JSON answer instead of tables")
  private boolean json;

  @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS", defaultValue = "30",
      description = "how long to wait for the API (default: ${DEFAULT-VALUE})")
  private int timeoutSeconds;

  private final Map<String, String> env;

  private CtlCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** The {@code ctl} command, ready to be added as a subcommand or executed; {@code env} supplies the token. */
  public static CommandLine commandLine(Map<String, String> env) {
    CommandLine commandLine = new CommandLine(new CtlCommand(env));
    commandLine.getCommandSpec().exitCodeOnInvalidInput(USAGE);
    commandLine.getSubcommands().values().forEach(sub -> sub.getCommandSpec().exitCodeOnInvalidInput(USAGE));
    return commandLine;
  }

  /** Runs {@code ctl args} and returns the exit code (for tests and embedding). */
  public static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    int code = commandLine(env).setOut(out).setErr(err).execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: status, pools, backends, drain, enable, "
        + "disable, weight, session, limits, routes, split, discovery or reload");
  }

  @Command(name = "status", description = "nodes, roles, uptime, heartbeats, applied versions and VIPs")
  int status() {
    return show(c -> c.get("/cluster"), Views::cluster);
  }

  @Command(name = "pools", description = "pools with their backends up, connections, requests and errors")
  int pools() {
    return show(c -> c.get("/pools"), Views::pools);
  }

  @Command(name = "backends", description = "the backends of one pool: health, admin state, load, latency")
  int backends(@Parameters(paramLabel = "POOL") String pool) {
    return show(c -> c.get("/pools/" + segment(pool)), Views::backends);
  }

  @Command(name = "drain", description = "keep a backend's sessions but send it no new ones")
  int drain(@Parameters(paramLabel = "POOL") String pool, @Parameters(paramLabel = "ID") String id) {
    return show(c -> c.post(backend(pool, id) + "/drain"), Views::change);
  }

  @Command(name = "enable", description = "put a drained or disabled backend back in service")
  int enable(@Parameters(paramLabel = "POOL") String pool, @Parameters(paramLabel = "ID") String id) {
    return show(c -> c.post(backend(pool, id) + "/enable"), Views::change);
  }

  @Command(name = "disable", description = "send a backend no traffic at all, not even its sessions")
  int disable(@Parameters(paramLabel = "POOL") String pool, @Parameters(paramLabel = "ID") String id) {
    return show(c -> c.post(backend(pool, id) + "/disable"), Views::change);
  }

  @Command(name = "weight", description = "set a backend's weight (1..256)")
  int weight(@Parameters(paramLabel = "POOL") String pool, @Parameters(paramLabel = "ID") String id,
      @Parameters(paramLabel = "WEIGHT") int weight) {
    JsonNode body = AdminClient.JSON.createObjectNode().put("weight", weight);
    return show(c -> c.put(backend(pool, id) + "/weight", body), Views::change);
  }

  @Command(name = "session", description = "the backend a session key (cookie value or client address) is bound to")
  int session(@Parameters(paramLabel = "POOL") String pool, @Parameters(paramLabel = "KEY") String key) {
    return show(c -> c.get("/sessions?pool=" + query(pool) + "&key=" + query(key)), Views::session);
  }

  @Command(name = "limits", description = "rate-limit rules, circuit breakers, retry budgets, slow starts, the busiest "
      + "clients and the refusals per reason")
  int limits() {
    return show(c -> c.get("/limits"), LimitsView::limits);
  }

  @Command(name = "routes", description = "each HTTP route: its match, where it sends requests, its actions and what "
      + "they did (redirected, denied, answered, mirrored, split shares)")
  int routes() {
    return show(c -> c.get("/routes"), RoutesView::routes);
  }

  @Command(name = "discovery", description = "each pool's backends from DNS: status (ok, empty, failed: the last good "
      + "set stays), backends and those draining out, version, the node that resolves each, last and next question")
  int discovery() {
    return show(c -> c.get("/discovery"), DiscoveryView::discovery);
  }

  @Command(name = "split", description = "set a split route's weights on every node, e.g. split web canary main=90 "
      + "canary=10 (pools left out keep theirs)")
  int split(@Parameters(paramLabel = "LISTENER") String listener, @Parameters(paramLabel = "ROUTE") String route,
      @Parameters(paramLabel = "POOL=WEIGHT", arity = "1..*") java.util.List<String> weights) {
    com.fasterxml.jackson.databind.node.ObjectNode w = AdminClient.JSON.createObjectNode();
    for (String pw : weights) {
      int eq = pw.lastIndexOf('=');
      if (eq <= 0 || !pw.substring(eq + 1).matches("\\d{1,7}")) {
        throw new ParameterException(spec.commandLine(), "a weight is POOL=WEIGHT with WEIGHT 0 to 1000000, got \""
            + pw + "\"");
      }
      w.put(pw.substring(0, eq), Integer.parseInt(pw.substring(eq + 1)));
    }
    JsonNode body = AdminClient.JSON.createObjectNode().set("weights", w);
    return show(c -> c.put("/routes/" + segment(listener) + "/" + segment(route) + "/split", body), RoutesView::split);
  }

  @Command(name = "reload", description = "re-read the configuration file on every node (or one)")
  int reload(@Option(names = "--node", paramLabel = "ID", description = "only this node") String node) {
    return show(c -> c.post("/config/reload" + (node == null ? "" : "?node=" + query(node))), Views::reload);
  }

  /** One API call. */
  @FunctionalInterface
  private interface Call {
    AdminClient.Answer on(AdminClient client) throws AdminClient.UnreachableException;
  }

  /** Makes the call, prints the answer (rendered by {@code view}, or raw with --json) and picks the exit code. */
  private int show(Call call, BiConsumer<JsonNode, PrintWriter> view) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AdminClient.Answer answer;
    try {
      answer = call.on(new AdminClient(adminUri(), token(), trust(), Duration.ofSeconds(timeoutSeconds)));
    } catch (AdminClient.UnreachableException e) {
      err.println("tandem ctl: " + e.getMessage());
      return UNREACHABLE;
    }
    // A 504 still carries the change (with its pending nodes), a 422 reload the per-node results: show them.
    boolean renderable = answer.ok() || answer.status() == 504 || answer.status() == 422;
    if (json && answer.json() != null) {
      out.println(answer.body().strip());
    } else if (renderable && answer.json() != null) {
      view.accept(answer.json(), out);
    }
    if (answer.ok()) {
      return OK;
    }
    String message = answer.status() == 422 && answer.json().path("error").isMissingNode()
        ? "the configuration was refused by " + Views.failedNodes(answer.json()) : answer.error();
    err.println("tandem ctl: " + message + " (HTTP " + answer.status() + ")");
    if (answer.status() == 504) {
      return NOT_APPLIED;
    }
    return answer.status() >= 500 ? API_FAILED : REFUSED;
  }

  private URI adminUri() {
    String url = admin.contains("://") ? admin : "http://" + admin;
    try {
      URI uri = new URI(url);
      if ((uri.getScheme().equals("http") || uri.getScheme().equals("https")) && uri.getHost() != null) {
        return uri;
      }
    } catch (java.net.URISyntaxException e) {
      // reported below
    }
    throw new ParameterException(spec.commandLine(),
        "--admin must be a URL such as http://127.0.0.1:9091, got \"" + admin + "\"");
  }

  private String token() {
    if (token != null && tokenFile != null) {
      throw new ParameterException(spec.commandLine(), "give either --token or --token-file, not both");
    }
    if (token != null) {
      return token;
    }
    if (tokenFile != null) {
      try {
        String fromFile = Files.readString(tokenFile).strip();
        if (fromFile.isEmpty()) {
          throw new ParameterException(spec.commandLine(), "--token-file " + tokenFile + " is empty");
        }
        return fromFile;
      } catch (IOException e) {
        throw new ParameterException(spec.commandLine(), "cannot read --token-file " + tokenFile + ": " + e);
      }
    }
    String fromEnv = env.get(TOKEN_ENV);
    return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
  }

  /** The CA file to trust, from --cacert or the environment; null: the JVM's trust store. */
  private AdminClient.Trust trust() {
    String fromEnv = env.get(CACERT_ENV);
    if (cacert == null && (fromEnv == null || fromEnv.isBlank())) {
      return null;
    }
    String option = cacert != null ? "--cacert" : CACERT_ENV;
    Path file = cacert != null ? cacert : Path.of(fromEnv.strip());
    try {
      return AdminClient.Trust.of(file);
    } catch (CertificateProblem e) {
      throw new ParameterException(spec.commandLine(), "cannot use " + option + " " + e.getMessage());
    }
  }

  private static String backend(String pool, String id) {
    return "/pools/" + segment(pool) + "/backends/" + segment(id);
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String query(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
