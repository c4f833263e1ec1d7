package io.tandem.bench.h3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP/3 load generator against a real Netty HTTP/3 server ({@link H3TestServer}) over UDP on 127.0.0.1: what it
 * counts, what it prints and logs (h2load's shapes, which bench/run.sh reads), and that it keeps {@code -m} requests in
 * flight.
 */
@Timeout(60)
class H3LoadTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(LoadOptions.Io.class)
  void runsTheRequestsAskedForOverTheConnectionsAskedFor(LoadOptions.Io io) throws Exception {
    Assumptions.assumeTrue(io != LoadOptions.Io.EPOLL || Epoll.isAvailable(), "epoll is not available here");
    try (H3TestServer server = new H3TestServer(100, n -> false)) {
      Path log = dir.resolve("h3.log");
      Run run = run("-n", "200", "-c", "2", "-m10", "--io=" + io.name().toLowerCase(Locale.ROOT), "--log-file=" + log,
          url(server));

      assertEquals(200, run.stats().done);
      assertEquals(200, run.stats().succeeded);
      assertEquals(0, run.stats().errored);
      assertEquals(200, run.stats().statusClasses[2]);
      assertEquals(200L * "hello\n".length(), run.stats().dataBytes);
      assertEquals(200, server.requests());
      assertEquals(2, server.connections());
      assertTrue(run.output().contains(
          "requests: 200 total, 200 started, 200 done, 200 succeeded, 0 failed, 0 errored, 0 timeout\n"), run.output());
      assertTrue(run.output().contains("status codes: 200 2xx, 0 3xx, 0 4xx, 0 5xx\n"), run.output());
      // What run.sh reads: requests/s as the 4th field of "finished in", the done requests as the 6th of "requests:".
      String[] finished = line(run.output(), "finished in ").split(" ");
      assertTrue(Double.parseDouble(finished[3]) > 0, run.output());
      assertEquals("200", line(run.output(), "requests: ").split(" ")[5].replace(",", ""));

      List<String[]> lines = Files.readAllLines(log).stream().map(l -> l.split("\t")).toList();
      assertEquals(200, lines.size());
      Map<String, Long> statuses = lines.stream().collect(Collectors.groupingBy(f -> f[1], Collectors.counting()));
      assertEquals(Map.of("200", 200L), statuses);
      for (String[] f : lines) {
        assertEquals(3, f.length);
        // Microseconds since the epoch (what run.sh assumes): 16 digits from 2001 to 2286, 13 for milliseconds.
        assertTrue(f[0].matches("[1-9][0-9]{15}"), "start " + f[0]);
        assertTrue(Long.parseLong(f[2]) >= 0, "duration " + f[2]);
      }
    }
  }

  @Test
  void countsResetStreamsAsErroredRequests() throws Exception {
    try (H3TestServer server = new H3TestServer(100, n -> n % 10 == 0)) {
      Path log = dir.resolve("h3.log");
      Run run = run("-n", "200", "-c", "2", "-m", "10", "--log-file", log.toString(), url(server));

      assertEquals(20, server.resets());
      assertEquals(200, run.stats().done);
      assertEquals(180, run.stats().succeeded);
      assertEquals(20, run.stats().errored);
      assertEquals(20, run.stats().failed());
      assertTrue(run.output().contains(
          "requests: 200 total, 200 started, 200 done, 180 succeeded, 20 failed, 20 errored, 0 timeout\n"), run.output());
      Map<String, Long> statuses = Files.readAllLines(log).stream()
          .collect(Collectors.groupingBy(l -> l.split("\t")[1], Collectors.counting()));
      assertEquals(Map.of("200", 180L, "-1", 20L), statuses);
    }
  }

  @Test
  void keepsTheStreamsAskedForInFlightOnEachConnection() throws Exception {
    // The server answers only once 10 requests wait on the connection: fewer in flight would never be answered.
    try (H3TestServer server = new H3TestServer(100, n -> false, 10)) {
      Run run = run("-n", "100", "-c", "1", "-m", "10", url(server));

      assertEquals(100, run.stats().succeeded);
      assertEquals(10, server.mostWaiting());
    }
  }

  @Test
  void waitsForTheServersStreamLimitRatherThanFailingStreams() throws Exception {
    // 4 concurrent streams allowed, answered 4 at a time: -m10 gets 4 in flight, never a refused stream.
    try (H3TestServer server = new H3TestServer(4, n -> false, 4)) {
      Run run = run("-n", "100", "-c", "1", "-m", "10", url(server));

      assertEquals(100, run.stats().succeeded);
      assertEquals(0, run.stats().errored);
      assertEquals(4, server.mostWaiting());
    }
  }

  @Test
  void runsForADuration() throws Exception {
    try (H3TestServer server = new H3TestServer(100, n -> false)) {
      Run run = run("-D", "0.5", "-c", "2", "-m", "4", url(server));

      assertTrue(run.stats().done > 0, run.output());
      assertEquals(run.stats().done, run.stats().succeeded);
      assertTrue(run.result().elapsedNanos() >= 500_000_000L, "elapsed " + run.result().elapsedNanos());
      assertTrue(server.requests() >= run.stats().done);
    }
  }

  @Test
  void postsABodyOfTheSizeAskedFor() throws Exception {
    try (H3TestServer server = new H3TestServer(100, n -> false)) {
      Run run = run("-n", "20", "-c", "1", "-m", "5", "--body-size=3000", url(server));

      assertEquals(20, run.stats().succeeded);
      assertEquals(20 * 3000, server.bodyBytes());
    }
  }

  @Test
  void verifiesTheServerAgainstACaFileAndTheServerName() throws Exception {
    String ca = new File(H3TestServer.CERTS, "ca.crt").getPath();
    try (H3TestServer server = new H3TestServer(100, n -> false)) {
      Run trusted = run("-n", "5", "--cacert", ca, "--sni", "a.tandem.test", url(server));
      assertEquals(5, trusted.stats().succeeded);

      Run wrongName = run("-n", "2", "--cacert", ca, "--sni", "b.tandem.test", url(server));
      assertEquals(0, wrongName.stats().succeeded);
      assertEquals(2, wrongName.stats().errored);
      assertEquals(2, wrongName.stats().connectFailures);
    }
  }

  @Test
  void countsConnectionsThatFailAsErroredRequests() throws Exception {
    // A socket that never answers: every handshake times out.
    try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      Run run = run("-n", "3", "-c", "1", "--connect-timeout=0.2", "https://127.0.0.1:" + silent.getLocalPort() + "/");

      assertEquals(3, run.stats().done);
      assertEquals(3, run.stats().errored);
      assertEquals(3, run.stats().connectFailures);
      assertTrue(run.output().contains("3 done, 0 succeeded, 3 failed, 3 errored"), run.output());
      assertTrue(run.output().contains("connection failures: 3\n"), run.output());
    }
  }

  @Test
  void parsesH2loadsWaysOfWritingOptions() {
    LoadOptions o = LoadOptions.parse("-c16", "-m", "10", "-D", "15", "--log-file=/tmp/x.log", "--sni", "a.tandem.test",
        "https://127.0.0.1:18080/a?b=1");
    assertEquals(16, o.connections());
    assertEquals(10, o.streams());
    assertEquals(15, o.duration().toSeconds());
    assertEquals(Path.of("/tmp/x.log"), o.logFile());
    assertEquals("a.tandem.test", o.serverName());
    assertEquals("/a?b=1", o.pathAndQuery());
    assertEquals("127.0.0.1:18080", o.authority());
    assertEquals(null, LoadOptions.parse("https://127.0.0.1:8443/").serverName());
    assertEquals("bench.example", LoadOptions.parse("https://bench.example:8443").serverName());
    assertEquals("/", LoadOptions.parse("https://bench.example:8443").pathAndQuery());
    for (String[] wrong : List.of(new String[] {"http://127.0.0.1:1/"}, new String[] {"-c0", "https://h:1/"},
        new String[] {"-x", "1", "https://h:1/"}, new String[] {"-c"}, new String[] {"-c", "2"})) {
      try {
        LoadOptions.parse(wrong);
        throw new AssertionError("accepted " + String.join(" ", wrong));
      } catch (IllegalArgumentException expected) {
        // refused, as it should be
      }
    }
  }

  private record Run(LoadRun.Result result, String output) {
    Stats stats() {
      return result.stats();
    }
  }

  private static Run run(String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LoadRun.Result result;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      result = H3Load.run(LoadOptions.parse(args), out);
    }
    return new Run(result, bytes.toString(StandardCharsets.UTF_8));
  }

  private static String url(H3TestServer server) {
    return "https://127.0.0.1:" + server.port() + "/";
  }

  private static String line(String output, String prefix) {
    return output.lines().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no line " + prefix + " in\n" + output));
  }
}
