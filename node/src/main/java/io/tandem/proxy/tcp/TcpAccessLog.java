package io.tandem.proxy.tcp;

import io.tandem.util.Outcome;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.message.StringMapMessage;

/**
 * One JSON line per TCP connection on logger {@code tandem.access} (the same asynchronous, dropping appender as the
 * HTTP access log): listener, client, outcome, pool, backend, duration, bytes each way. Disabled: nothing is built.
 */
final class TcpAccessLog {
  private static final Logger LOG = LogManager.getLogger("tandem.access");

  private TcpAccessLog() {}

  static boolean enabled() {
    return LOG.isInfoEnabled();
  }

  @SuppressWarnings("checkstyle:ParameterNumber")
  static void log(String listener, String client, Outcome outcome, String pool, String backend, long durationMicros,
      long bytesIn, long bytesOut) {
    StringMapMessage m = new StringMapMessage(9)
        .with("listener", listener)
        .with("protocol", "tcp")
        .with("client", client)
        .with("outcome", outcome.label())
        .with("pool", pool == null ? "-" : pool)
        .with("backend", backend == null ? "-" : backend)
        .with("duration_us", Long.toString(durationMicros))
        .with("bytes_in", Long.toString(bytesIn))
        .with("bytes_out", Long.toString(bytesOut));
    LOG.info(m);
  }
}
