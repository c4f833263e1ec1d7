package io.tandem.testing;

import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request exactly as a {@link FakeBackend} received it: immutable, safe to read from any thread.
 *
 * <p>{@link #headerLines()} keeps the raw lines in arrival order (to assert on spelling and order);
 * {@link #headers()} is a case-insensitive multimap view of the same lines. Example:
 * <pre>{@code
 * Received r = backend.awaitRequests(1).get(0);
 * assertEquals("127.0.0.1", r.header("x-forwarded-for"));
 * }</pre>
 */
public final class Received {
  private final int connection;
  private final SocketAddress remoteAddress;
  private final String method;
  private final String uri;
  private final String version;
  private final List<String> headerLines;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  Received(int connection, SocketAddress remoteAddress, String method, String uri, String version,
      List<String> headerLines, byte[] body) {
    this.connection = connection;
    this.remoteAddress = remoteAddress;
    this.method = method;
    this.uri = uri;
    this.version = version;
    this.headerLines = List.copyOf(headerLines);
    this.headers = multimap(this.headerLines);
    this.body = body.clone();
  }

  private static Map<String, List<String>> multimap(List<String> lines) {
    Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line : lines) {
      int colon = line.indexOf(':');
      map.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
    }
    map.replaceAll((name, values) -> List.copyOf(values));
    return Collections.unmodifiableMap(map);
  }

  Received withBody(byte[] newBody) {
    return new Received(connection, remoteAddress, method, uri, version, headerLines, newBody);
  }

  /** Sequence number (1, 2, ...) of the backend connection the request came on: equal numbers mean a reused connection. */
  public int connection() {
    return connection;
  }

  /** The peer of the backend connection, i.e. the proxy's outgoing address. */
  public SocketAddress remoteAddress() {
    return remoteAddress;
  }

  public String method() {
    return method;
  }

  public String uri() {
    return uri;
  }

  /** "HTTP/1.1" or "HTTP/1.0". */
  public String version() {
    return version;
  }

  /** Raw header lines ("Name: value") in the order received. */
  public List<String> headerLines() {
    return headerLines;
  }

  /** Case-insensitive, unmodifiable name to values view. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** First value of a header, or null when absent. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null ? null : values.get(0);
  }

  /** All values of a header (empty when absent). */
  public List<String> headerValues(String name) {
    return headers.getOrDefault(name, List.of());
  }

  /** A copy of the decoded body (chunked framing removed). */
  public byte[] body() {
    return body.clone();
  }

  public int bodyLength() {
    return body.length;
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return method + " " + uri + " " + version + " on connection " + connection + " " + headerLines
        + " body " + body.length + " bytes";
  }
}
