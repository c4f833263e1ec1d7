package io.tandem.proxy.http;

import io.tandem.proxy.rules.RouteCounters;
import io.tandem.upstream.PoolSnapshot;

/**
 * The backend side of an HTTP/2 front's {@link Exchange}, whatever the backends speak: {@link BackendLeg} for
 * HTTP/1.1 pools, {@link H2Leg} for HTTP/2 ones. Event-loop confined; it decides nothing (the exchange hears of every
 * failure and of the end through {@link BackendLeg.Owner}).
 */
interface UpstreamLeg {
  /** With the first attempt, a copy of the request goes to {@code shadow} ({@link Mirror}). */
  void mirrorTo(Http1Loop loop, PoolSnapshot shadow, RouteCounters.Counts counts);

  /** Whether any of the response went to the client (then a failure can only end the client's stream). */
  boolean responseStarted();

  /** Body bytes relayed to the client. */
  long bytesOut();

  /** The client went away: the backend request is abandoned. */
  void cancel();

  /** The exchange finished: a body still streaming stops, a compressor frees its memory. */
  void stopBody();
}
