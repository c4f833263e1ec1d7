package io.tandem.bench.h3;

import io.netty.channel.epoll.Epoll;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * What one run of {@link H3Load} does, parsed from h2load-like arguments.
 *
 * <p>A run opens {@code connections} QUIC connections to {@code target} and keeps {@code streams} requests in flight
 * on each (the next one starts when one completes), for {@code duration} or until {@code requests} requests are done.
 *
 * @param target         {@code https://host:port/path?query}: where the connections go and what each request asks
 * @param connections    QUIC connections ({@code -c})
 * @param streams        concurrent requests on each connection ({@code -m})
 * @param requests       requests in all ({@code -n}); ignored when {@code duration} is set
 * @param duration       how long the run lasts ({@code -D}), or {@code null} to run {@code requests} requests
 * @param caFile         PEM certificates to verify the server's chain and name against, or {@code null} to trust any
 *                       certificate (the bench's certificates are self-made)
 * @param serverName     the TLS server name (SNI) sent, or {@code null} for none (the default for an IP address)
 * @param bodySize       {@code -1}: GET; otherwise POST with a body of this many bytes
 * @param logFile        where a line per finished request goes, in h2load's {@code --log-file} format, or {@code null}
 * @param io             the event loop's transport
 * @param connectTimeout how long a QUIC handshake may take before it counts as a failed connection
 */
public record LoadOptions(URI target, int connections, int streams, long requests, Duration duration, Path caFile,
    String serverName, int bodySize, Path logFile, Io io, Duration connectTimeout) {

  /** The event loop's transport: one thread either way. */
  public enum Io { EPOLL, NIO }

  static final String USAGE = String.join("\n",
      "Usage: h3load [options] https://host:port/path",
      "  HTTP/3 load generator (Netty's HTTP/3 client, one thread). Output in h2load's shape.",
      "  -c, --clients=N          QUIC connections (default 1)",
      "  -m, --max-concurrent-streams=N  requests in flight on each connection (default 1)",
      "  -n, --requests=N         requests in all (default 1); ignored with -D",
      "  -D, --duration=SECONDS   run for this long instead of -n requests",
      "  --cacert=FILE            verify the server's certificate (chain and name) against these PEM certificates;",
      "                           without it any certificate is accepted (-k, --insecure: the same, said explicitly)",
      "  --sni=NAME               TLS server name to send (default: the URL's host unless it is an IP address)",
      "  --body-size=N            POST a body of N bytes instead of GET",
      "  --log-file=FILE          a line per finished request: start (us since the epoch), status (-1: failed),",
      "                           microseconds to the end of the response; tab-separated, as h2load writes it",
      "  --io=epoll|nio           the event loop's transport (default epoll where available)",
      "  --connect-timeout=SECONDS  a handshake that takes longer fails (default 5)",
      "  --version                print the version and exit");

  public LoadOptions {
    if (!"https".equals(target.getScheme()) || target.getHost() == null) {
      throw new IllegalArgumentException("the target must be an https://host:port/path URL, not " + target);
    }
    positive("-c", connections);
    positive("-m", streams);
    if (duration == null) {
      positive("-n", requests);
    } else if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("-D must be more than 0 seconds");
    }
  }

  /** Parses h2load-style arguments: {@code -c16}, {@code -c 16}, {@code --clients=16}, {@code --clients 16}. */
  public static LoadOptions parse(String... args) {
    URI target = null;
    int connections = 1;
    int streams = 1;
    long requests = 1;
    Duration duration = null;
    Path caFile = null;
    String serverName = null;
    boolean serverNameSet = false;
    int bodySize = -1;
    Path logFile = null;
    Io io = null;
    Duration connectTimeout = Duration.ofSeconds(5);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("-")) {
        if (target != null) {
          throw new IllegalArgumentException("one target URL only: " + target + " and " + arg);
        }
        target = URI.create(arg);
        continue;
      }
      if (arg.equals("-k") || arg.equals("--insecure")) {
        continue;
      }
      String name;
      String value = null;
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        name = eq < 0 ? arg : arg.substring(0, eq);
        value = eq < 0 ? null : arg.substring(eq + 1);
      } else {
        name = arg.substring(0, 2);
        value = arg.length() > 2 ? arg.substring(2) : null;
      }
      if (value == null) {
        if (i + 1 == args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        value = args[++i];
      }
      switch (name) {
        case "-c", "--clients" -> connections = integer(name, value);
        case "-m", "--max-concurrent-streams" -> streams = integer(name, value);
        case "-n", "--requests" -> requests = Long.parseLong(value);
        case "-D", "--duration" -> duration = seconds(name, value);
        case "--cacert" -> caFile = Path.of(value);
        case "--sni" -> {
          serverName = value.isEmpty() ? null : value;
          serverNameSet = true;
        }
        case "--body-size" -> bodySize = integer(name, value);
        case "--log-file" -> logFile = Path.of(value);
        case "--io" -> io = Io.valueOf(value.toUpperCase(Locale.ROOT));
        case "--connect-timeout" -> connectTimeout = seconds(name, value);
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    if (target == null) {
      throw new IllegalArgumentException("no target URL");
    }
    if (!serverNameSet && target.getHost() != null && !isIpLiteral(target.getHost())) {
      serverName = target.getHost();
    }
    return new LoadOptions(target, connections, streams, requests, duration, caFile, serverName, bodySize, logFile,
        io != null ? io : Epoll.isAvailable() ? Io.EPOLL : Io.NIO, connectTimeout);
  }

  /** {@code host:port} as the URL names them, for {@code :authority}. */
  String authority() {
    return target.getRawAuthority();
  }

  /** The path and query asked for ({@code /} when the URL has none). */
  String pathAndQuery() {
    String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
    return target.getRawQuery() == null ? path : path + "?" + target.getRawQuery();
  }

  int port() {
    return target.getPort() < 0 ? 443 : target.getPort();
  }

  private static boolean isIpLiteral(String host) {
    return host.startsWith("[") || host.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
  }

  private static int integer(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " takes a whole number, not " + value);
    }
  }

  private static Duration seconds(String name, String value) {
    try {
      return Duration.ofNanos(Math.round(Double.parseDouble(value) * 1e9));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " takes seconds, not " + value);
    }
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, not " + value);
    }
  }
}
