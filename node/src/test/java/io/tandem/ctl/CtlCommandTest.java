package io.tandem.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.testing.FakeAdminApi;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tandem ctl} against a fake admin API serving contract-shaped JSON. */
class CtlCommandTest {
  private static final String TOKEN = "s3cret";
  private static final Map<String, String> NO_ENV = Map.of();
  private static Vertx vertx;
  private FakeAdminApi api;

  /** One run of {@code ctl --admin <fake> ARGS}: its exit code and what it printed. */
  record Run(int code, String out, String err) {}

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @BeforeEach
  void startApi() throws Exception {
    api = FakeAdminApi.start(vertx, TOKEN);
  }

  @AfterEach
  void stopApi() throws Exception {
    api.close();
  }

  private Run ctl(String... args) {
    return ctlWith(NO_ENV, args);
  }

  private Run ctlWith(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of("--admin", api.url()));
    all.addAll(List.of(args));
    return run(env, all.toArray(String[]::new));
  }

  static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CtlCommand.run(env, new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void statusShowsMembersDownNodesAndVips() {
    Run r = ctl("status");
    assertEquals(new Run(0, """
        cluster tandem-local  answered by n1  coordinator n1  quorum yes (min 2)  state version 12

        NODE  ROLE         STATE  UPTIME  HEARTBEAT  APPLIED  VERSION  ADMIN
        n1*   coordinator  up      2h03m       40ms       12  0.1.0    127.0.0.1:19091
        n2    member       up      4m05s      650ms       12  0.1.0    127.0.0.1:19092
        n3    -            DOWN        -          -        -  -        -

        VIP           INTERFACE  GROUP  MODE            HOLDER  SINCE                     ERROR
        10.0.0.10/24  eth0       front  active-passive  n1      2026-11-29T17:58:00.000Z  -

        AT                        VIP           FROM  TO  REASON
        2026-11-29T17:58:00.000Z  10.0.0.10/24  n3    n1  n3 left
        """, ""), r);
  }

  @Test
  void statusWithoutVipsSaysSoAndNamesNodesThatDidNotAnswer() {
    api.answer("GET", "/api/v1/cluster", 200, """
        {"node":"n2","cluster":"c","coordinator":"n2","quorum":false,"minMembers":2,"stateVersion":3,
         "members":[],"down":[],"vips":[],"vipMoves":[],"unavailable":["n3"]}""");
    Run r = ctl("status");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("quorum NO (min 2)"), r.out());
    assertTrue(r.out().contains("\nno VIPs\n"), r.out());
    assertTrue(r.out().endsWith("\nincomplete: no answer from n3\n"), r.out());
  }

  @Test
  void poolsCountsBackendsUp() {
    assertEquals(new Run(0, """
        POOL  ALGORITHM          PERSISTENCE    BACKENDS  UP  CONNS  REQUESTS  ERRORS
        web   least-connections  cookie-insert         3   2      8      3050      42
        api   round-robin        -                     1   0      0         0       0
        """, ""), ctl("pools"));
  }

  @Test
  void backendsShowHealthAdminStateAndLoad() {
    assertEquals(new Run(0, """
        pool web  algorithm least-connections  persistence cookie-insert

        BACKEND  ADDRESS          HEALTH  CHECKED BY  ADMIN     WEIGHT  CONNS  PER NODE   REQUESTS  ERRORS  P50 MS  P99 MS  SOURCE
        b1       127.0.0.1:19001  up      n2          enabled        1      3  n1=1 n2=2      1000       2     1.2     9.9  config
        b2       127.0.0.1:19002  up      n1          enabled        2      5  n1=2 n2=3      2000       0     1.1     7.5  config
        b3       127.0.0.1:19003  down    n2          disabled       1      0  n1=0 n2=0        50      40       -       -  runtime
        """, ""), ctl("backends", "web"));
  }

  @Test
  void limitsShowRulesPoolGuardsBusiestClientsAndRefusals() {
    Run run = ctl("limits");
    assertEquals(0, run.code(), run.err());
    assertEquals("""
        LISTENER  RULE      KEY                 RATE  BURST  KEYS  ADMITTED  REFUSED  REFUSED PER NODE
        web       api-keys  header:X-Api-Key  600/1m    600    12      5400        0  n1=0 n2=0
        web       limited   source             50/1s     10     3      1010      240  n1=130 n2=110

        POOL  BREAKER        OPEN ON  BREAKER REFUSALS  RETRIES  ALLOWED  DENIED  SLOW START
        web   20 fails / 5s  -                       0        1        6       0  b2 n1=40% n2=38%
        api   5 fails / 2s   n2                     37        0        6       4  -

        LISTENER  MAX PER CLIENT  CLIENT    CONNS  PER NODE
        web                   50  10.0.0.9     50  n1=30 n2=20
        web                   50  10.0.0.7      4  n1=4

        REFUSED BECAUSE     TOTAL  PER NODE       PER LISTENER
        circuit_open           37  n2=37          web=37
        client_connections     12  n1=9 n2=3      web=12
        rate_limited          240  n1=130 n2=110  web=240

        incomplete: no answer from n3
        """, run.out());
  }

  @Test
  void discoveryShowsEachEntryItsBackendsAndWhyItIsStale() {
    api.answer("GET", "/api/v1/discovery", 200, """
        {"node": "n1", "unavailable": [], "entries": [
          {"pool": "web", "key": "web.prod:8080", "status": "failed", "version": 14, "resolver": "n2",
           "lastSuccess": "2026-12-07T10:00:00Z", "nextResolution": "2026-12-07T10:00:08Z",
           "error": "Failed to resolve 'web.prod.' [A(1)]: Query failed with SERVFAIL",
           "backends": [{"id": "10.0.0.1:8080", "priority": 0, "leaving": false},
                        {"id": "10.0.0.2:8080", "priority": 0, "leaving": true, "removedAt": "2026-12-07T10:00:30Z"}]},
          {"pool": "api", "key": "srv:_http._tcp.api", "status": "pending", "version": 0, "resolver": "n3",
           "error": null, "backends": []}]}
        """);
    Run run = ctl("discovery");
    assertEquals(0, run.code(), run.err());
    assertEquals("""
        POOL  ENTRY               STATUS   BACKENDS  LEAVING  VERSION  RESOLVER  LAST SUCCESS          NEXT
        web   web.prod:8080       failed          1        1       14  n2        2026-12-07T10:00:00Z  2026-12-07T10:00:08Z
        api   srv:_http._tcp.api  pending         0        0        0  n3        -                     -

        web web.prod:8080: 10.0.0.1:8080, 10.0.0.2:8080 (leaving, gone at 2026-12-07T10:00:30Z)
          failed, keeping the last good set: Failed to resolve 'web.prod.' [A(1)]: Query failed with SERVFAIL

        api srv:_http._tcp.api: no backends yet
        """, run.out());
  }

  @Test
  void limitsAsJsonAndWithEmptySections() throws Exception {
    Run json = ctl("--json", "limits");
    assertEquals(0, json.code(), json.err());
    assertEquals(new ObjectMapper().readTree(FakeAdminApi.class.getResourceAsStream("fake-admin/limits.json")),
        new ObjectMapper().readTree(json.out()));
    api.answer("GET", "/api/v1/limits", 200, "{\"rules\":[],\"pools\":[],\"clients\":[{\"listener\":\"web\","
        + "\"maxConnectionsPerClient\":0,\"top\":[]}],\"refusals\":[],\"unavailable\":[]}");
    assertEquals("""
        no rate-limit rules

        no pools

        no client connections open

        nothing refused
        """, ctl("limits").out());
  }

  @Test
  void readmeShowsTheRealOutput() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String command = "$ tandem ctl --admin 127.0.0.1:19091 backends web\n";
    int start = readme.indexOf(command);
    assertTrue(start >= 0, "README.md shows no " + command);
    String shown = readme.substring(start + command.length(), readme.indexOf("```", start));
    assertEquals(ctl("backends", "web").out(), shown);
  }

  @Test
  void backendsOfAPoolWithAnIncompleteAnswerSaySo() {
    Run r = ctl("backends", "api");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("a1       127.0.0.1:19011  pending  -           draining"), r.out());
    assertTrue(r.out().endsWith("\ncounters incomplete: no answer from n3\n"), r.out());
  }

  @Test
  void unknownPoolIsRefusedWithTheApiMessage() {
    assertEquals(new Run(2, "", "tandem ctl: unknown pool or backend: /pools/shop (HTTP 404)\n"),
        ctl("backends", "shop"));
  }

  @Test
  void drainEnableAndDisableChangeTheBackendAndSendTheToken() {
    assertEquals(new Run(0, "web/b1: draining, weight 1 (version 13, applied on n1, n2)\n", ""),
        ctl("--token", TOKEN, "drain", "web", "b1"));
    assertEquals("draining", api.backend("web", "b1").get("adminState").asText());
    assertEquals(new Run(0, "web/b1: disabled, weight 1 (version 14, applied on n1, n2)\n", ""),
        ctl("--token", TOKEN, "disable", "web", "b1"));
    assertEquals(new Run(0, "web/b1: enabled, weight 1 (version 15, applied on n1, n2)\n", ""),
        ctl("--token", TOKEN, "enable", "web", "b1"));
    assertEquals("enabled", api.backend("web", "b1").get("adminState").asText());
    FakeAdminApi.Seen last = api.seen().get(api.seen().size() - 1);
    assertEquals(new FakeAdminApi.Seen("POST", "/api/v1/pools/web/backends/b1/enable", "Bearer " + TOKEN, null), last);
  }

  @Test
  void weightIsSentAsJsonAndAnOutOfRangeValueIsRefusedWithTheField() {
    assertEquals(new Run(0, "web/b2: enabled, weight 7 (version 13, applied on n1, n2)\n", ""),
        ctl("--token", TOKEN, "weight", "web", "b2", "7"));
    assertEquals("{\"weight\":7}", api.seen().get(api.seen().size() - 1).body());
    assertEquals(new Run(2, "", "tandem ctl: weight must be 1..256, got 0 (field weight) (HTTP 400)\n"),
        ctl("--token", TOKEN, "weight", "web", "b2", "0"));
  }

  @Test
  void sessionShowsTheBindingOrTheApiMessage() {
    assertEquals(new Run(0,
        "web abc123 -> b2 (since 2026-11-29T17:30:00.000Z, last used 2026-11-29T18:02:59.000Z)\n", ""),
        ctl("session", "web", "abc123"));
    Run unbound = ctl("session", "web", "10.0.0.7 x");
    assertEquals(new Run(2, "", "tandem ctl: no session for key \"10.0.0.7 x\" in pool \"web\" (HTTP 404)\n"),
        unbound);
    assertEquals("/api/v1/sessions?pool=web&key=10.0.0.7+x", api.seen().get(api.seen().size() - 1).uri());
  }

  @Test
  void reloadListsEveryNode() {
    assertEquals(new Run(0, """
        NODE  RESULT
        n1    ok
        n2    ok
        """, ""), ctl("--token", TOKEN, "reload"));
  }

  @Test
  void reloadRefusedByANodeListsItsErrorsAndExitsTwo() {
    api.answer("POST", "/api/v1/config/reload?node=n2", 422, """
        {"results":[{"node":"n2","ok":false,"errors":[{"file":"/etc/tandem/tandem.yaml",
         "field":"pools[0].backends[1].port","message":"must be 1..65535"}]}]}""");
    assertEquals(new Run(2, """
        NODE  RESULT
        n2    FAILED
        n2: /etc/tandem/tandem.yaml: pools[0].backends[1].port: must be 1..65535
        """, "tandem ctl: the configuration was refused by n2 (HTTP 422)\n"),
        ctl("--token", TOKEN, "reload", "--node", "n2"));
  }

  @Test
  void jsonPrintsTheApiAnswer() throws Exception {
    Run r = ctl("pools", "--json");
    assertEquals(0, r.code());
    ObjectMapper json = new ObjectMapper();
    JsonNode printed = json.readTree(r.out());
    assertEquals(3, printed.at("/pools/0/backends").size());
    assertEquals("least-connections", printed.at("/pools/0/algorithm").asText());
    assertEquals(json.readTree(FakeAdminApi.class.getResourceAsStream("fake-admin/pools.json")), printed);
  }

  @Test
  void jsonStillPrintsTheAnswerOfARefusedCall() {
    Run r = ctl("--json", "drain", "web", "b1");
    assertEquals(new Run(2, "{\"error\":\"missing or wrong admin token\"}\n",
        "tandem ctl: missing or wrong admin token (HTTP 401)\n"), r);
  }

  @Test
  void missingOrWrongTokenExitsTwoWithTheApiMessage() {
    assertEquals(new Run(2, "", "tandem ctl: missing or wrong admin token (HTTP 401)\n"),
        ctl("drain", "web", "b1"));
    assertEquals(new Run(2, "", "tandem ctl: missing or wrong admin token (HTTP 401)\n"),
        ctl("--token", "guess", "drain", "web", "b1"));
    assertEquals("enabled", api.backend("web", "b1").get("adminState").asText());
  }

  @Test
  void tokenComesFromTheEnvironmentOrAFile(@TempDir Path dir) throws Exception {
    assertEquals(0, ctlWith(Map.of(CtlCommand.TOKEN_ENV, TOKEN), "drain", "web", "b1").code());
    Path file = dir.resolve("token");
    Files.writeString(file, TOKEN + "\n");
    assertEquals(0, ctlWith(Map.of(CtlCommand.TOKEN_ENV, "wrong"), "--token-file", file.toString(),
        "enable", "web", "b1").code());
    assertEquals("Bearer " + TOKEN, api.seen().get(api.seen().size() - 1).authorization());
  }

  @Test
  void notAppliedEverywhereInTimeExitsFourAndShowsWhoIsPending() {
    api.answer("POST", "/api/v1/pools/web/backends/b1/drain", 504, """
        {"pool":"web","backend":"b1","adminState":"draining","weight":1,"version":13,"applied":["n1","n2"],
         "pending":["n3"],"error":"not applied by n3 within 5000 ms"}""");
    assertEquals(new Run(4, """
        web/b1: draining, weight 1 (version 13, applied on n1, n2)
        not yet applied on n3
        """, "tandem ctl: not applied by n3 within 5000 ms (HTTP 504)\n"),
        ctl("--token", TOKEN, "drain", "web", "b1"));
  }

  @Test
  void serverErrorExitsFive() {
    api.answer("GET", "/api/v1/pools", 500, "{\"error\":\"internal error\"}");
    assertEquals(new Run(5, "", "tandem ctl: internal error (HTTP 500)\n"), ctl("pools"));
  }

  @Test
  void somethingElseAnsweringIsReportedAsUnreachable() {
    api.answer("GET", "/api/v1/cluster", 200, "<html>hello</html>");
    assertEquals(new Run(3, "", "tandem ctl: what answers at " + api.url()
        + " is not the Tandem admin API (HTTP 200 without JSON)\n"), ctl("status"));
  }

  @Test
  void unreachableApiExitsThree() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    assertEquals(new Run(3, "", "tandem ctl: cannot reach the admin API at http://127.0.0.1:" + port
        + ": connection refused\n"), run(NO_ENV, "--admin", "127.0.0.1:" + port, "status"));
  }

  @Test
  void usageErrorsExitOne(@TempDir Path dir) {
    Run noAdmin = run(NO_ENV, "status");
    assertEquals(1, noAdmin.code());
    assertTrue(noAdmin.err().startsWith("Missing required option: '--admin=URL'\n"), noAdmin.err());
    Run badWeight = ctl("weight", "web", "b1", "heavy");
    assertEquals(1, badWeight.code());
    assertTrue(badWeight.err().startsWith(
        "Invalid value for positional parameter at index 2 (WEIGHT): 'heavy' is not an int\n"), badWeight.err());
    Run noSubcommand = ctl();
    assertEquals(1, noSubcommand.code());
    assertTrue(noSubcommand.err().startsWith("Missing subcommand: status, pools, backends, drain, enable, disable, "
        + "weight, session, limits, routes, split, discovery or reload\n"), noSubcommand.err());
    Run badUrl = run(NO_ENV, "--admin", "ftp://x", "status");
    assertEquals(1, badUrl.code());
    assertTrue(badUrl.err().startsWith("--admin must be a URL such as http://127.0.0.1:9091, got \"ftp://x\"\n"),
        badUrl.err());
    Run both = ctl("--token", "a", "--token-file", "b", "drain", "web", "b1");
    assertEquals(1, both.code());
    assertTrue(both.err().startsWith("give either --token or --token-file, not both\n"), both.err());
    Path missing = dir.resolve("missing");
    Run noFile = ctl("--token-file", missing.toString(), "drain", "web", "b1");
    assertEquals(1, noFile.code());
    assertTrue(noFile.err().startsWith("cannot read --token-file " + missing + ": java.nio.file.NoSuchFileException: "
        + missing + "\n"), noFile.err());
  }

  @Test
  void emptyTokenFileIsAUsageError(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("token"), "\n");
    Run r = ctl("--token-file", empty.toString(), "drain", "web", "b1");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("--token-file " + empty + " is empty\n"), r.err());
  }

  @Test
  void helpListsTheSubcommandsAndExitCodes() {
    Run r = run(NO_ENV, "--help");
    assertEquals(0, r.code());
    for (String expected : List.of("status ", "pools ", "backends ", "drain ", "enable ", "disable ", "weight ",
        "session ", "reload ", "2   the API refused the request", "3   the admin API cannot be reached",
        "4   the change was made but not applied", "TANDEM_ADMIN_TOKEN", "--cacert=FILE",
        "TANDEM_ADMIN_CACERT", "1   invalid command line (or an unreadable token or --cacert file)")) {
      assertTrue(r.out().contains(expected), expected + " in\n" + r.out());
    }
  }
}
