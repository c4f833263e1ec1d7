package io.tandem.testing;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real gRPC server (grpc-java, its own shaded Netty) for tests: {@code grpc.testing.SimpleService} with all four
 * call kinds, answering with its name, plus the standard health service. Faults: a delay before each unary answer,
 * unary answers held until the test lets them go ({@link #hold}), a status to fail with ({@code fail:CODE} as the
 * request message), a bound on streams per connection. Counts calls and transports (connections), and keeps the
 * request headers it saw.
 *
 * <pre>{@code
 * GrpcBackend b = GrpcBackend.start("b1", GrpcBackend.Options.plain());
 * ... b.calls() ... b.connections() ... b.shutdown();   // graceful: GOAWAY, in-flight calls finish
 * }</pre>
 */
public final class GrpcBackend implements AutoCloseable {
  /** How the server runs. */
  public record Options(TestCerts.Pair tls, int maxStreamsPerConnection, long unaryDelayMillis,
      long maxConnectionAgeMillis) {
    public static Options plain() {
      return new Options(null, 0, 0, 0);
    }

    public Options withTls(TestCerts.Pair pair) {
      return new Options(pair, maxStreamsPerConnection, unaryDelayMillis, maxConnectionAgeMillis);
    }

    public Options withMaxStreams(int n) {
      return new Options(tls, n, unaryDelayMillis, maxConnectionAgeMillis);
    }

    public Options withDelay(long millis) {
      return new Options(tls, maxStreamsPerConnection, millis, maxConnectionAgeMillis);
    }

    /** Connections are closed by GOAWAY after this long (grpc-java's max connection age; calls get 10 s grace). */
    public Options withMaxConnectionAge(long millis) {
      return new Options(tls, maxStreamsPerConnection, unaryDelayMillis, millis);
    }
  }

  public static final Metadata.Key<String> GRPC_TIMEOUT = Metadata.Key.of("grpc-timeout",
      Metadata.ASCII_STRING_MARSHALLER);

  private final String name;
  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong maxInFlight = new AtomicLong();
  private final ConcurrentLinkedQueue<Metadata> headers = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final long delayMillis;
  /** Answers held until {@link #release()}; guarded by {@code this}, with {@link #holdPrefix}. */
  private final List<Runnable> held = new ArrayList<>();
  private String holdPrefix;

  private GrpcBackend(String name, Options options) throws IOException {
    this.name = name;
    this.delayMillis = options.unaryDelayMillis();
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(new Service(), new Headers()))
        .addService(health.getHealthService())
        .addTransportFilter(new ServerTransportFilter() {
          @Override
          public Attributes transportReady(Attributes attrs) {
            connections.incrementAndGet();
            open.incrementAndGet();
            return attrs;
          }

          @Override
          public void transportTerminated(Attributes attrs) {
            open.decrementAndGet();
          }
        });
    if (options.maxConnectionAgeMillis() > 0) {
      b.maxConnectionAge(options.maxConnectionAgeMillis(), TimeUnit.MILLISECONDS)
          .maxConnectionAgeGrace(10, TimeUnit.SECONDS);
    }
    if (options.maxStreamsPerConnection() > 0) {
      b.maxConcurrentCallsPerConnection(options.maxStreamsPerConnection());
    }
    if (options.tls() != null) {
      b.sslContext(GrpcSslContexts.forServer(options.tls().cert().toFile(), options.tls().key().toFile()).build());
    }
    server = b.build().start();
  }

  public static GrpcBackend start(String name, Options options) {
    try {
      return new GrpcBackend(name, options);
    } catch (IOException e) {
      throw new IllegalStateException("gRPC test backend " + name + " did not start", e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getPort();
  }

  /** Calls of every kind this server took. */
  public int calls() {
    return calls.get();
  }

  /** Connections (transports) made to it so far. */
  public int connections() {
    return connections.get();
  }

  /** Connections open now. */
  public int openConnections() {
    return open.get();
  }

  /** The most calls that were in flight at once. */
  public long maxInFlight() {
    return maxInFlight.get();
  }

  /** The request headers of every call so far. */
  public List<Metadata> headers() {
    return List.copyOf(headers);
  }

  /**
   * From now on, the answers to unary calls whose request message starts with {@code prefix} are held (the calls stay
   * in flight) until {@link #release()}.
   */
  public synchronized void hold(String prefix) {
    holdPrefix = prefix;
  }

  /** How many answers are held now. */
  public synchronized int held() {
    return held.size();
  }

  /** Stops holding and lets every held answer go. */
  public void release() {
    List<Runnable> go;
    synchronized (this) {
      holdPrefix = null;
      go = List.copyOf(held);
      held.clear();
    }
    go.forEach(Runnable::run);
  }

  /** Holds {@code reply} if its message is to be held; false when it must go now. */
  private synchronized boolean heldBack(String message, Runnable reply) {
    if (holdPrefix == null || !message.startsWith(holdPrefix)) {
      return false;
    }
    held.add(reply);
    return true;
  }

  public HealthStatusManager health() {
    return health;
  }

  /** Graceful shutdown: GOAWAY to every connection, in-flight calls finish, new ones are refused. */
  public void shutdown() {
    server.shutdown();
  }

  @Override
  public void close() {
    server.shutdownNow();
    timer.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private SimpleResponse answer(String request) {
    return SimpleResponse.newBuilder().setResponseMessage(name + ":" + request).build();
  }

  private final class Headers implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata md,
        ServerCallHandler<Q, R> next) {
      headers.add(md);
      calls.incrementAndGet();
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      return next.startCall(new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        @Override
        public void close(Status status, Metadata trailers) {
          inFlight.decrementAndGet();
          super.close(status, trailers);
        }
      }, md);
    }
  }

  private final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest req, StreamObserver<SimpleResponse> out) {
      String m = req.getRequestMessage();
      Runnable reply = () -> {
        if (m.startsWith("fail:")) {
          out.onError(Status.fromCodeValue(Integer.parseInt(m.substring(5))).withDescription("failed as asked")
              .asRuntimeException());
          return;
        }
        out.onNext(answer(m));
        out.onCompleted();
      };
      if (heldBack(m, reply)) {
        return;
      }
      if (delayMillis > 0) {
        timer.schedule(reply, delayMillis, TimeUnit.MILLISECONDS);
      } else {
        reply.run();
      }
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
      StringBuilder all = new StringBuilder();
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest r) {
          all.append(r.getRequestMessage());
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
          out.onNext(answer(all.toString()));
          out.onCompleted();
        }
      };
    }

    @Override
    public void serverStreamingRpc(SimpleRequest req, StreamObserver<SimpleResponse> out) {
      int n = Integer.parseInt(req.getRequestMessage());
      for (int i = 0; i < n; i++) {
        out.onNext(answer(Integer.toString(i)));
      }
      out.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest r) {
          out.onNext(answer(r.getRequestMessage()));
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }
}
