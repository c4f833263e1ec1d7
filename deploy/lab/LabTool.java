import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The lab's two small programs, run with the JDK alone (java LabTool.java ...):
 *
 * <pre>
 * serve HOST PORT NAME                 an HTTP backend answering every request "NAME\n"
 * probe HOST PORT DURATION_MS MARK     steady client traffic: a new connection and one GET every 10 ms (each on its own
 *                                      thread), for DURATION_MS; the failure happens when file MARK appears
 * </pre>
 *
 * The probe's last line is {@code outage_ms=N failed=F ok=K}: N is the longest time clients could not get an answer
 * after the failure, measured from the start of the last request that succeeded before a run of failures to the
 * start of the first that succeeded after it, less one 10 ms period (0 when nothing failed; the resolution is 10 ms).
 * Failures before MARK (warm-up on a busy machine) are left out. A request fails when it cannot connect within
 * 500 ms (less than TCP's first SYN retransmission, 1 s, so a request stuck on a dead holder never counts as a success
 * later), or gets no complete "200" status line within 2 s. F and K count the requests after MARK.
 */
public final class LabTool {
  private static final long PERIOD_MS = 10;

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "serve" -> serve(args[1], Integer.parseInt(args[2]), args[3]);
      case "probe" -> probe(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Path.of(args[4]));
      default -> throw new IllegalArgumentException("usage: serve HOST PORT NAME | probe HOST PORT DURATION_MS MARK");
    }
  }

  private static void serve(String host, int port, String name) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 256);
    byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    System.out.println("serving " + name + " on " + host + ":" + port);
  }

  private record Attempt(long startMs, Future<Boolean> ok) {}

  private static void probe(String host, int port, long durationMs, Path mark) throws Exception {
    // A thread per request in flight: a request stuck on a dead holder must not delay the next ones.
    ExecutorService pool = Executors.newCachedThreadPool();
    List<Attempt> attempts = new ArrayList<>();
    long t0 = System.nanoTime();
    long next = t0;
    long failAt = Long.MAX_VALUE;
    while (System.nanoTime() - t0 < durationMs * 1_000_000L) {
      long start = (System.nanoTime() - t0) / 1_000_000L;
      if (failAt == Long.MAX_VALUE && Files.exists(mark)) {
        failAt = start;
      }
      attempts.add(new Attempt(start, pool.submit(() -> request(host, port))));
      next += PERIOD_MS * 1_000_000L;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
    pool.shutdown();
    pool.awaitTermination(5, TimeUnit.SECONDS);
    long outage = 0;
    long lastOk = -1;
    boolean failing = false;
    int failed = 0;
    int ok = 0;
    for (Attempt a : attempts) {
      boolean success = a.ok.get();
      if (a.startMs < failAt) {
        lastOk = success ? a.startMs : lastOk;
        continue;
      }
      if (success) {
        ok++;
        if (failing) {
          outage = Math.max(outage, a.startMs - Math.max(lastOk, lastOk < 0 ? failAt : 0) - PERIOD_MS);
        }
        failing = false;
        lastOk = a.startMs;
      } else {
        failed++;
        if (!failing) {
          System.out.println("failures from " + (a.startMs - failAt) + " ms after the failure");
        }
        failing = true;
      }
    }
    if (failing) {
      System.out.println("still failing at the end");
      outage = Math.max(outage, durationMs - lastOk);
    }
    System.out.println("outage_ms=" + outage + " failed=" + failed + " ok=" + ok);
  }

  private static boolean request(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      s.setSoTimeout(2000);
      s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = 0;
      while (n < head.length) {
        int r = in.read(head, n, head.length - n);
        if (r < 0) {
          return false;
        }
        n += r;
      }
      return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
    } catch (Exception e) {
      return false;
    }
  }
}
