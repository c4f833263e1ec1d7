package io.tandem.bootstrap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.MemberPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The three-node demo for real: the shipped {@code config/local-cluster.yaml} (the copy bundled in the jar) with every
 * port replaced by a free one, three real nodes joining one Hazelcast cluster, and the curl sequence it prints; Ctrl-C
 * stops them all without an ERROR in the log.
 */
class DemoThreeNodesTest {
  @TempDir
  Path dir;

  private final AtomicReference<NodeProcess> running = new AtomicReference<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void oneClientSticksToOneBackendThroughEveryNodeAndCtrlCStopsThemAll() throws Exception {
    List<Integer> ports = freePorts(12);
    List<Integer> backendPorts = ports.subList(0, 3);
    List<Integer> webPorts = ports.subList(3, 6);
    String yaml = bundledClusterYaml();
    String clusterName = "demo-test-" + Long.toHexString(System.nanoTime());
    yaml = replace(yaml, "tandem-local", clusterName);
    yaml = replace(yaml, "./tandem-{node}.state.json", dir.resolve("tandem-{node}.state.json").toString());
    for (int i = 0; i < 3; i++) {
      yaml = replace(yaml, "127.0.0.1:570" + (i + 1), "127.0.0.1:" + ports.get(6 + i));
      yaml = replace(yaml, "127.0.0.1:1909" + (i + 1), "127.0.0.1:" + ports.get(9 + i));
      yaml = replace(yaml, "127.0.0.1:1808" + (i + 1), "127.0.0.1:" + webPorts.get(i));
      yaml = replace(yaml, "127.0.0.1:1900" + (i + 1), "127.0.0.1:" + backendPorts.get(i));
    }
    Files.createDirectories(dir.resolve("config"));
    Files.writeString(dir.resolve(DemoCommand.CLUSTER_YAML), yaml);
    Launcher launcher = new Launcher(ConfigSource::file, config -> TandemNode.start(config).map(n -> n), running::set);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine demo = new CommandLine(new DemoCommand(launcher, dir, List.of(0, 0, 0), backendPorts))
        .setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(demo::execute);
    // The launcher hands out the process (signals) just before the demo prints its instructions: wait for both.
    await().atMost(Duration.ofSeconds(90))
        .until(() -> (running.get() != null && out.toString().contains("Stop with Ctrl-C")) || run.isDone());
    assertEquals(null, run.isDone() ? "exited " + run.join() + ": " + err : null);
    String url2 = "http://127.0.0.1:" + webPorts.get(1);
    assertTrue(out.toString().contains("\n  node n2: " + url2 + "/\n"), out.toString());
    assertTrue(out.toString().contains("  curl -b /tmp/tandem-demo-cookies.txt " + url2 + "/ "), out.toString());

    // Health checks start every backend as unknown: wait until the login lands.
    AtomicReference<HttpResponse<String>> login = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      login.set(get(webPorts.get(0), "/login", null));
      return login.get().statusCode() == 200;
    });
    String backend = firstLine(login.get());
    List<String> cookies = new ArrayList<>();
    for (String setCookie : login.get().headers().allValues("set-cookie")) {
      cookies.add(setCookie.substring(0, setCookie.indexOf(';')));
    }
    assertEquals(List.of("JSESSIONID", "TANDEM_SERVER"),
        cookies.stream().map(c -> c.substring(0, c.indexOf('='))).sorted().toList());
    String session = cookies.stream().filter(c -> c.startsWith("JSESSIONID=")).findFirst().orElseThrow();

    for (int port : webPorts) {
      assertEquals(backend, firstLine(get(port, "/", String.join("; ", cookies))), "both cookies, port " + port);
      assertEquals(backend, firstLine(get(port, "/", session)), "the learned session alone, port " + port);
    }

    // Stopping the demo logs no ERROR, no stack trace and blocks no event loop (GracefulStopTest#alarming).
    List<io.tandem.testing.LogCapture> logs = GracefulStopTest.capture();
    try {
      running.get().stop();
      assertEquals(0, run.join());
      assertEquals(List.of(), GracefulStopTest.alarming(logs, clusterName));
    } finally {
      logs.forEach(io.tandem.testing.LogCapture::close);
    }
    for (int port : webPorts) {
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "port " + port);
    }
  }

  private HttpResponse<String> get(int port, String path, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String firstLine(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    return response.body().lines().findFirst().orElseThrow();
  }

  private static String bundledClusterYaml() throws IOException {
    try (InputStream in = DemoThreeNodesTest.class.getResourceAsStream(DemoCommand.BUNDLED_CLUSTER_YAML)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String replace(String text, String what, String with) {
    assertTrue(text.contains(what), "the shipped local-cluster.yaml no longer holds " + what);
    return text.replace(what, with);
  }

  /** Distinct free ports below the ephemeral range (see {@link MemberPorts}): the demo binds them all later. */
  private static List<Integer> freePorts(int count) {
    java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
    while (ports.size() < count) {
      ports.add(MemberPorts.free());
    }
    return List.copyOf(ports);
  }
}
