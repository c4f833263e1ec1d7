package io.tandem.proxy.http;

import io.tandem.affinity.AffinityTable;
import io.tandem.config.ListenerConfig;
import io.tandem.proxy.ListenerState;
import io.tandem.util.Outcome;
import io.tandem.proxy.rules.RouteCounters;
import io.tandem.upstream.Backend;
import io.tandem.upstream.LatencyHistogram;
import io.tandem.upstream.UpstreamRegistry;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every event-loop instance of one HTTP listener shares ({@link ListenerState}), plus the backend clients, the
 * HSTS header, the request latency histogram and the request id sequence, and a plain-text listener's socket. Lock-free
 * on the data path.
 */
public final class ListenerRuntime extends ListenerState {
  private final BackendClients clients;
  private final LatencyHistogram latency = new LatencyHistogram();
  private final RouteCounters routes = new RouteCounters();
  private final GrpcCounters grpc = new GrpcCounters();
  private final AtomicLong requestSeq = new AtomicLong();
  private final String requestIdPrefix;
  private volatile String hsts;
  private HttpAcceptor acceptor;
  private volatile String altSvc;
  private final io.tandem.proxy.h3.H3Stats h3 = new io.tandem.proxy.h3.H3Stats();
  private volatile io.tandem.proxy.h3.QuicRelay relay;
  private Object http3Owner;
  private volatile io.tandem.proxy.h3.QuicServer quicServer;

  public ListenerRuntime(ListenerConfig config, UpstreamRegistry registry, BackendClients clients,
      AffinityTable affinity, boolean accessLog) {
    super(config, registry, affinity, accessLog);
    this.clients = clients;
    this.hsts = hstsOf(config);
    this.requestIdPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL) + "-";
  }

  /** Applies a reloaded listener configuration (same name and address). */
  @Override
  public void update(ListenerConfig config, boolean accessLog) {
    super.update(config, accessLog);
    this.hsts = hstsOf(config);
  }

  private static String hstsOf(ListenerConfig config) {
    return config.tls() == null || config.tls().hsts() == null ? null : config.tls().hsts().headerValue();
  }

  /** The listening socket of a plain-text listener, shared by its instances: made by the first that asks. */
  synchronized HttpAcceptor acceptor(int port) {
    if (acceptor == null) {
      acceptor = new HttpAcceptor(config().host(), port);
    }
    return acceptor;
  }

  /** Whether {@code instance} runs the listener's HTTP/3 socket: the first that asks does. */
  synchronized boolean claimHttp3(Object instance) {
    if (http3Owner == null) {
      http3Owner = instance;
    }
    return http3Owner == instance;
  }

  synchronized void releaseHttp3(Object instance) {
    if (http3Owner == instance) {
      altSvc = null;
    }
  }

  /** The {@code Alt-Svc} value the TCP side advertises, or null while no HTTP/3 socket serves. */
  String altSvc() {
    return altSvc;
  }

  void altSvc(String value) {
    altSvc = value;
  }

  /** The HTTP/3 socket once bound (null before, and without HTTP/3). */
  void quicServer(io.tandem.proxy.h3.QuicServer server) {
    this.quicServer = server;
  }

  /** The bound UDP port of the HTTP/3 socket, or 0 while none serves. */
  public int http3Port() {
    io.tandem.proxy.h3.QuicServer q = quicServer;
    return q == null || altSvc == null ? 0 : q.port();
  }

  /** Closes the HTTP/3 socket at once, its connections without a goodbye (a crash, in tests). */
  public void closeHttp3() {
    io.tandem.proxy.h3.QuicServer q = quicServer;
    if (q != null) {
      q.close();
    }
  }

  /** What this listener's HTTP/3 side counts (all zero without HTTP/3). */
  public io.tandem.proxy.h3.H3Stats http3() {
    return h3;
  }

  /** This node's QUIC relay (null alone), for the HTTP/3 socket. */
  public void quicRelay(io.tandem.proxy.h3.QuicRelay relay) {
    this.relay = relay;
  }

  io.tandem.proxy.h3.QuicRelay quicRelay() {
    return relay;
  }

  /** The Strict-Transport-Security value to add to responses, or null. */
  String hsts() {
    return hsts;
  }

  BackendClients clients() {
    return clients;
  }

  boolean accessLog() {
    return accessLogConfigured() && AccessLog.enabled();
  }

  void record(Outcome outcome) {
    countOutcome(outcome);
  }

  /**
   * Counts a finished request: its outcome, its duration here and on its (last) backend, and a success on that
   * backend when the backend answered.
   */
  void finished(Outcome outcome, Backend backend, long nanos) {
    record(outcome);
    latency.record(nanos);
    if (backend != null) {
      backend.stats().latency().record(nanos);
      if (outcome == Outcome.OK) {
        backend.stats().record(Outcome.OK);
      }
    }
  }

  /** What the routes' actions did (redirects, refusals, answers, mirrored copies, split shares), per route. */
  public RouteCounters routes() {
    return routes;
  }

  /** The gRPC calls this listener finished, by service, method and status. */
  public GrpcCounters grpc() {
    return grpc;
  }

  /** Durations of the requests this listener finished, from the request head to the outcome. */
  public LatencyHistogram latency() {
    return latency;
  }

  String nextRequestId() {
    return requestIdPrefix + Long.toHexString(requestSeq.incrementAndGet());
  }
}
