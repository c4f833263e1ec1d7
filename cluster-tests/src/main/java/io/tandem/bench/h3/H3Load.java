package io.tandem.bench.h3;

import io.netty.util.Version;
import java.io.PrintStream;

/**
 * The benchmark's HTTP/3 load generator, h2load's way: {@code -c} QUIC connections with {@code -m} requests in flight
 * on each, for {@code -D} seconds or {@code -n} requests, on one event-loop thread, printing h2load's summary and
 * writing h2load's per-request log, so that bench/run.sh reads it as it reads h2load. Debian's h2load has no HTTP/3.
 *
 * <pre>
 * java -cp 'cluster-tests/target/tandem-cluster-tests.jar:cluster-tests/target/h3load-lib/*' io.tandem.bench.h3.H3Load \
 *     -c16 -m10 -D 15 --log-file=/tmp/h3.log https://127.0.0.1:18080/
 * </pre>
 *
 * <p>Exit status: 0 after a run (whatever its errors), 1 when it could not start, 2 for wrong arguments.
 */
public final class H3Load {
  private H3Load() {}

  public static void main(String[] args) {
    if (args.length == 1 && args[0].equals("--version")) {
      System.out.println(version());
      return;
    }
    if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
      System.out.println(LoadOptions.USAGE);
      return;
    }
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("h3load: " + e.getMessage());
      System.err.println(LoadOptions.USAGE);
      System.exit(2);
      return;
    }
    try {
      run(options, System.out);
    } catch (Exception e) {
      System.err.println("h3load: " + e);
      System.exit(1);
    }
  }

  /** Runs, prints the summary on {@code out}, and returns what was counted. */
  static LoadRun.Result run(LoadOptions options, PrintStream out) throws Exception {
    out.printf("starting benchmark...%nspawning thread #0: %d total client(s). %s%n", options.connections(),
        options.duration() == null ? options.requests() + " total requests" : "timing-based test with "
            + options.duration().toMillis() / 1000.0 + "s of main duration");
    LoadRun.Result result = LoadRun.run(options);
    Report.print(out, result.stats(), result.elapsedNanos(), result.receivedBytes(), result.total());
    return result;
  }

  static String version() {
    Version netty = Version.identify().get("netty-codec-http3");
    return "h3load (Tandem bench) on Netty " + (netty == null ? "?" : netty.artifactVersion());
  }
}
