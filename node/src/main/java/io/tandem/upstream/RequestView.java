package io.tandem.upstream;

/**
 * What routing, rate limiting and hashing read from a request, whatever its protocol: Tandem's own HTTP/1.1 head,
 * an HTTP/2 stream's headers, and later HTTP/3. A codec implements it over what it already parsed, so a String is
 * made only for what a rule asks for.
 *
 * <pre>{@code
 * String pool = snapshot.router(listener).route(view);   // host, path, method, named headers, cookies, SNI
 * }</pre>
 */
public interface RequestView {
  /** The method as sent, e.g. {@code GET}. */
  String method();

  /** The request path without the query, never null ({@code ""} when there is none). */
  String path();

  /** The {@code Host} header (HTTP/2: {@code :authority}) as sent, or null. */
  String host();

  /** The first value of header {@code name} (case-insensitive), or null. */
  String header(CharSequence name);

  /** The TLS server name the client asked for, or null (plain connection, or no SNI). */
  String sni();
}
