package io.tandem.cluster.process;

import io.tandem.testing.MemberPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tandem nodes {@code n1..nN} as separate processes of the built jar, from one cluster file written to a temporary
 * directory (as an operator would run them, {@code --node nK}): members on free loopback ports picked by the test,
 * HTTP listeners on port 0 (read from each node's log), state files in the same directory, heartbeat 1 s and failure
 * timeout 3 s. Every process is killed by {@link #close()}.
 */
final class ProcessCluster implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(60);

  private final Path dir;
  private final Path config;
  private final List<String> ids = new ArrayList<>();
  private final Map<String, String> hosts = new LinkedHashMap<>();
  private final Map<String, Integer> clusterPorts = new LinkedHashMap<>();
  private final Map<String, NodeProcess> running = new LinkedHashMap<>();
  private final Map<String, Integer> httpPorts = new LinkedHashMap<>();

  /**
   * @param hosts the loopback address of each node's member (e.g. 127.0.0.1, or 127.0.0.3 to tell a node's traffic
   *     apart by address); its length is the number of nodes
   * @param pools the {@code pools:} section of the file, YAML
   */
  ProcessCluster(Path dir, List<String> hosts, String pools) throws IOException {
    this.dir = dir;
    StringBuilder nodes = new StringBuilder();
    for (int i = 0; i < hosts.size(); i++) {
      String id = "n" + (i + 1);
      int port = MemberPorts.free(hosts.get(i));
      ids.add(id);
      this.hosts.put(id, hosts.get(i));
      clusterPorts.put(id, port);
      nodes.append("  - {id: ").append(id).append(", cluster: '").append(hosts.get(i)).append(':').append(port)
          .append("', listeners: {web: '127.0.0.1:0'}}\n");
    }
    String yaml = "cluster: {name: proc-" + Long.toHexString(System.nanoTime()) + ", heartbeat: 1s, "
        + "failure-timeout: 3s, state-file: '" + dir.resolve("tandem-{node}.state.json") + "'}\n"
        + "nodes:\n" + nodes
        + "node: {event-loops: 1, drain-timeout: 2s}\n"
        + "access-log: {enabled: false}\n"
        + "listeners:\n"
        + "  - {name: web, bind: '127.0.0.1:0', default-pool: app}\n"
        + pools;
    this.config = dir.resolve("cluster.yaml");
    Files.writeString(config, yaml);
  }

  List<String> ids() {
    return ids;
  }

  Path dir() {
    return dir;
  }

  String host(String id) {
    return hosts.get(id);
  }

  int clusterPort(String id) {
    return clusterPorts.get(id);
  }

  /** Starts every node at once and waits until each serves HTTP and sees all members. */
  void startAll() throws IOException {
    for (String id : ids) {
      running.put(id, NodeProcess.start(config, "--node", id));
    }
    for (String id : ids) {
      httpPorts.put(id, running.get(id).awaitPort("web"));
    }
    for (String id : ids) {
      awaitMembers(id, ids);
    }
  }

  /** Starts one node (after it stopped) and waits until it serves HTTP and sees every member. */
  void start(String id) throws IOException {
    NodeProcess p = NodeProcess.start(config, "--node", id);
    running.put(id, p);
    httpPorts.put(id, p.awaitPort("web"));
    awaitMembers(id, ids);
  }

  /** Waits until node {@code id} logged that the members are exactly {@code members} (in any order of joining). */
  long awaitMembers(String id, List<String> members) {
    return awaitMembers(id, 0, members);
  }

  long awaitMembers(String id, int fromLine, List<String> members) {
    NodeProcess p = running.get(id);
    long[] at = {0};
    org.awaitility.Awaitility.await().atMost(START).pollInterval(Duration.ofMillis(20)).until(() -> {
      List<String> lines = p.lines();
      for (int i = fromLine; i < lines.size(); i++) {
        String l = lines.get(i);
        int s = l.indexOf("cluster members now [");
        if (s >= 0) {
          String list = l.substring(s + "cluster members now [".length(), l.indexOf(']', s));
          List<String> seen = List.of(list.split(", "));
          if (seen.size() == members.size() && seen.containsAll(members)) {
            at[0] = p.readAt(i);
            return true;
          }
        }
      }
      return false;
    });
    return at[0];
  }

  NodeProcess node(String id) {
    return running.get(id);
  }

  int httpPort(String id) {
    return httpPorts.get(id);
  }

  /** Stops a node gracefully with SIGTERM and waits for its exit code (0). */
  int stop(String id) throws Exception {
    NodeProcess p = running.get(id);
    p.signal("TERM");
    int code = p.awaitExit(Duration.ofSeconds(45));
    running.remove(id);
    return code;
  }

  @Override
  public void close() {
    running.values().forEach(NodeProcess::close);
    running.clear();
  }

  /** One pool {@code app} over the given backends ({@code id -> port}), YAML. */
  static String pool(Map<String, Integer> backends, String extra) {
    StringBuilder b = new StringBuilder("pools:\n  - name: app\n    backends:\n");
    backends.forEach((id, port) -> b.append("      - {id: ").append(id).append(", address: '127.0.0.1:")
        .append(port).append("'}\n"));
    return b + extra;
  }
}
