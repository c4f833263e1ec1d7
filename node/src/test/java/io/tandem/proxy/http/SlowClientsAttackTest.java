package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.util.Outcome;
import io.tandem.testing.FakeBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Slowloris (slow headers) and R.U.D.Y. (slow body) attacks with Debian's {@code slowhttptest} from 127.0.0.1 while an
 * ordinary client on 127.0.0.2 keeps sending requests: the ordinary client must get every answer; the attackers are
 * cut off by the head and body timeouts and capped by {@code max-connections-per-client}. Skipped when
 * {@code slowhttptest} is not installed ({@code apt-get install -y slowhttptest}). Prints {@code MEASURE} lines.
 */
class SlowClientsAttackTest extends ProxyTestBase {

  @Override
  protected int eventLoops() {
    return 2;
  }

  private static boolean installed() {
    return Files.isExecutable(Path.of("/usr/bin/slowhttptest"));
  }

  @Test
  void slowloris() throws Exception {
    attack("slowloris", List.of("-H", "-i", "3"), Outcome.CLIENT_TIMEOUT);
  }

  @Test
  void slowBody() throws Exception {
    attack("slow body (R.U.D.Y.)", List.of("-B", "-i", "3", "-s", "65536"), Outcome.CLIENT_TIMEOUT);
  }

  private void attack(String name, List<String> mode, Outcome cutBy) throws Exception {
    assumeTrue(installed(), "slowhttptest is not installed (apt-get install -y slowhttptest)");
    FakeBackend b = backend("b1");
    start(config(eventLoops(), listener("web").timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
        Duration.ofSeconds(60)).maxConnectionsPerClient(200), pool("app").backend(b.name(), b.port())));
    int seconds = Boolean.getBoolean("measure") ? 30 : 8;
    List<String> cmd = new ArrayList<>(List.of("slowhttptest", "-c", "1000", "-r", "200", "-l",
        String.valueOf(seconds), "-p", "3", "-t", mode.contains("-B") ? "POST" : "GET", "-u",
        "http://127.0.0.1:" + port() + "/"));
    cmd.addAll(mode);
    Path log = Files.createTempFile("slowhttptest", ".log");
    Process attacker = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    List<Long> latencies = new ArrayList<>();
    int failures = 0;
    try {
      while (attacker.isAlive()) {
        long t = System.nanoTime();
        int status = ordinaryRequest(port());
        if (status == 200) {
          latencies.add(System.nanoTime() - t);
        } else {
          failures++;
        }
        attacker.waitFor(100, TimeUnit.MILLISECONDS);
      }
    } finally {
      attacker.destroy();
      attacker.waitFor(10, TimeUnit.SECONDS);
    }
    Collections.sort(latencies);
    long cut = node.listener("web").count(cutBy);
    long capped = node.listener("web").count(Outcome.CLIENT_CONNECTIONS);
    String summary = Files.readAllLines(log).stream().filter(l -> l.contains("service available")
        || l.contains("closed") || l.contains("connected")).reduce((a, c) -> c).orElse("");
    System.out.printf("MEASURE %s, %d s, slowhttptest -c 1000 -r 200 from 127.0.0.1: ordinary client on 127.0.0.2 "
        + "got %d answers, %d failures, latency p50 %.1f ms p99 %.1f ms; attackers cut by %s: %d, connections "
        + "refused by max-connections-per-client 200: %d; slowhttptest's last line: %s%n", name, seconds,
        latencies.size(), failures, pct(latencies, 50), pct(latencies, 99), cutBy.label(), cut, capped,
        summary.trim());
    assertEquals(0, failures, "every ordinary request was answered");
    assertTrue(latencies.size() > 0);
    assertTrue(cut + capped > 0, "the attack was cut off or capped");
  }

  /** One request on a fresh connection from 127.0.0.2 (another client address than the attacker's). */
  private static int ordinaryRequest(int port) {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(12);
      String line = new String(head, StandardCharsets.US_ASCII);
      return line.startsWith("HTTP/1.1 ") ? Integer.parseInt(line.substring(9, 12)) : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private static double pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    return sorted.get(i) / 1e6;
  }
}
