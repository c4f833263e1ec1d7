package io.tandem.cluster.process;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Tandem node running as a separate operating-system process from the built jar, as an operator runs it: so that a
 * test can signal it or kill it. Its log lines are collected for assertions.
 */
final class NodeProcess implements AutoCloseable {
  static final Path JAR = Path.of("..", "node", "target", "tandem.jar");
  private static final Pattern BOUND = Pattern.compile("listener (\\S+) serving http on [^ ]+:(\\d+)");

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  /** When each line of {@link #lines} was read ({@link System#nanoTime()}), same index. */
  private final List<Long> readAt = new CopyOnWriteArrayList<>();

  private NodeProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          readAt.add(System.nanoTime());
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process went away
      }
    }, "node-output");
    reader.setDaemon(true);
    reader.start();
  }

  static NodeProcess start(Path config, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(), "--config", config.toString()));
    command.addAll(List.of(args));
    return new NodeProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** The port a listener bound, read from the node's log. */
  int awaitPort(String listener) {
    int[] port = new int[1];
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (String l : lines) {
        Matcher m = BOUND.matcher(l);
        if (m.find() && m.group(1).equals(listener)) {
          port[0] = Integer.parseInt(m.group(2));
          return true;
        }
      }
      return !process.isAlive();
    });
    if (port[0] == 0) {
      throw new IllegalStateException("node exited before binding " + listener + ":\n" + String.join("\n", lines));
    }
    return port[0];
  }

  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " failed");
    }
  }

  /** Kills the process with SIGKILL, as a crash would: nothing of it runs afterwards. */
  void kill9() throws IOException, InterruptedException {
    signal("KILL");
    process.waitFor(10, TimeUnit.SECONDS);
  }

  boolean alive() {
    return process.isAlive();
  }

  /**
   * Waits until a line containing {@code text} is logged at or after line {@code from}; returns the
   * {@link System#nanoTime()} at which this test read it (the pipe adds well under a millisecond).
   */
  long awaitLine(int from, String text, Duration timeout) {
    int[] found = {-1};
    await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
      for (int i = from; i < lines.size(); i++) {
        if (lines.get(i).contains(text)) {
          found[0] = i;
          return true;
        }
      }
      return false;
    });
    return readAt.get(found[0]);
  }

  /** When this test read line {@code index} ({@link System#nanoTime()}). */
  long readAt(int index) {
    return readAt.get(index);
  }

  boolean logged(String text) {
    return lines.stream().anyMatch(l -> l.contains(text));
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("node did not exit within " + timeout);
    }
    return process.exitValue();
  }

  List<String> lines() {
    return lines;
  }

  static Path writeConfig(Path dir, String yaml) throws IOException {
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
