package io.tandem.config;

/**
 * What a pool's backends speak (YAML {@code protocol} on a pool): HTTP/1.1, HTTP/2 over TLS (chosen by ALPN), or
 * HTTP/2 in clear text with prior knowledge. An HTTP/2 pool carries each request on a stream of a shared connection,
 * so one client connection's requests (a gRPC channel's calls) are balanced one by one.
 */
public enum BackendProtocol {
  /** HTTP/1.1, one request at a time per connection. The default. */
  HTTP1,
  /** HTTP/2 over TLS, {@code h2} offered by ALPN; the pool needs {@code tls}. */
  H2,
  /** HTTP/2 over plain TCP with prior knowledge (RFC 9113 section 3.3). */
  H2C;

  /** Whether requests go on HTTP/2 streams. */
  public boolean http2() {
    return this != HTTP1;
  }
}
