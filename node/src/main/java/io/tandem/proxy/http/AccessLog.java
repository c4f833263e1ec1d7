package io.tandem.proxy.http;

import io.tandem.util.Outcome;
import io.tandem.tls.TlsFacts;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.message.StringMapMessage;

/**
 * One JSON line per request on logger {@code tandem.access}. Log4j2's asynchronous appender (see log4j2.xml) does the
 * formatting and I/O on its own thread; the event loop only builds the map. Disabled: nothing is built at all.
 */
final class AccessLog {
  private static final Logger LOG = LogManager.getLogger("tandem.access");

  private AccessLog() {}

  static boolean enabled() {
    return LOG.isInfoEnabled();
  }

  @SuppressWarnings("checkstyle:ParameterNumber")
  static void log(String listener, String client, String method, String uri, int status, Outcome outcome,
      String pool, String backend, long durationMicros, String requestId, long bytesOut, TlsFacts tls) {
    log(listener, client, method, uri, status, outcome, pool, backend, durationMicros, requestId, bytesOut, tls, null);
  }

  /** The same; {@code forwardedUri} is the target a route's actions rewrote the request to ({@code uri} stays the client's), or null. */
  static void log(String listener, String client, String method, String uri, int status, Outcome outcome,
      String pool, String backend, long durationMicros, String requestId, long bytesOut, TlsFacts tls,
      String forwardedUri) {
    log(listener, client, method, uri, status, outcome, pool, backend, durationMicros, requestId, bytesOut, tls,
        forwardedUri, null);
  }

  /** The same; {@code call}: a gRPC call's service, method and status, or null for a request that is none. */
  static void log(String listener, String client, String method, String uri, int status, Outcome outcome,
      String pool, String backend, long durationMicros, String requestId, long bytesOut, TlsFacts tls,
      String forwardedUri, Grpc.Call call) {
    StringMapMessage m = new StringMapMessage(20)
        .with("listener", listener)
        .with("client", client)
        .with("method", method)
        .with("uri", uri)
        .with("status", Integer.toString(status))
        .with("outcome", outcome.label())
        .with("pool", pool == null ? "-" : pool)
        .with("backend", backend == null ? "-" : backend)
        .with("duration_us", Long.toString(durationMicros))
        .with("bytes_out", Long.toString(bytesOut))
        .with("request_id", requestId == null ? "-" : requestId);
    if (forwardedUri != null) {
      m.with("forwarded_uri", forwardedUri);
    }
    if (call != null) {
      m.with("grpc_service", call.service()).with("grpc_method", call.method()).with("grpc_status", call.status());
    }
    if (tls != null) {
      m.with("tls_protocol", tls.protocol())
          .with("tls_cipher", tls.cipher())
          .with("sni", tls.sni() == null ? "-" : tls.sni());
    }
    LOG.info(m);
  }
}
