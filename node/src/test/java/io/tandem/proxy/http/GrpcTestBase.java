package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.tandem.config.BackendProtocol;
import io.tandem.config.TlsConfig;
import io.tandem.testing.GrpcBackend;
import io.tandem.testing.NoLeakedBuffers;
import io.tandem.testing.TestCerts;
import io.tandem.testing.TestConfigs;
import io.tandem.testing.TestTls;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gRPC through a node with real grpc-java on both sides: an HTTPS listener offering h2 in front (an h2c one when
 * {@link #h2cFront()}), pools of h2c (and h2) gRPC servers behind. Two event loops unless a subclass says otherwise.
 */
@ExtendWith(NoLeakedBuffers.class)
abstract class GrpcTestBase extends TlsProxyTestBase {
  static TestCerts.Pair front;
  static TestCerts.Pair back;

  private final List<GrpcBackend> grpcBackends = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() {
    front = certs.leaf("front", "grpc.tandem.test");
    back = certs.leaf("back", "localhost", "127.0.0.1");
  }

  @AfterEach
  void stopGrpc() {
    channels.forEach(c -> c.shutdownNow());
    grpcBackends.forEach(GrpcBackend::close);
  }

  GrpcBackend grpcBackend(String name, GrpcBackend.Options options) {
    GrpcBackend b = GrpcBackend.start(name, options);
    grpcBackends.add(b);
    return b;
  }

  static TlsConfig frontTls() {
    return TestTls.tls(null, List.of(front));
  }

  TestConfigs.PoolBuilder h2cPool(GrpcBackend... bs) {
    TestConfigs.PoolBuilder p = pool("app").protocol(BackendProtocol.H2C)
        .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(60));
    for (GrpcBackend b : bs) {
      p.backend(b.name(), b.port());
    }
    return p;
  }

  /** Whether the front is an h2c listener (gRPC clients in clear text) rather than HTTPS with h2 by ALPN. */
  protected boolean h2cFront() {
    return false;
  }

  TestConfigs.ListenerBuilder front() {
    return h2cFront() ? listener("web").h2c() : listener("web").tls(frontTls());
  }

  HttpClientOptions http2ClientOptions() {
    HttpClientOptions o = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2);
    return h2cFront() ? o.setHttp2ClearTextUpgrade(false)
        : o.setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false);
  }

  void startWith(TestConfigs.PoolBuilder pool) throws Exception {
    start(config(eventLoops(), front(), pool));
  }

  ManagedChannel channel() throws Exception {
    NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", port());
    ManagedChannel c = h2cFront() ? b.usePlaintext().build()
        : b.sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
            .overrideAuthority("grpc.tandem.test").build();
    channels.add(c);
    return c;
  }

  static SimpleRequest msg(String m) {
    return SimpleRequest.newBuilder().setRequestMessage(m).build();
  }

  static SimpleServiceGrpc.SimpleServiceBlockingStub blocking(ManagedChannel c) {
    return SimpleServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static String backendOf(SimpleResponse r) {
    return r.getResponseMessage().substring(0, r.getResponseMessage().indexOf(':'));
  }

  static StreamObserver<SimpleResponse> observer(CompletableFuture<String> done, List<String> each) {
    return new StreamObserver<>() {
      String last;

      @Override
      public void onNext(SimpleResponse r) {
        last = r.getResponseMessage();
        each.add(last);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(last);
      }
    };
  }

  static byte[] grpcFrame(byte[] message) {
    byte[] frame = new byte[5 + message.length];
    frame[1] = (byte) (message.length >>> 24);
    frame[2] = (byte) (message.length >>> 16);
    frame[3] = (byte) (message.length >>> 8);
    frame[4] = (byte) message.length;
    System.arraycopy(message, 0, frame, 5, message.length);
    return frame;
  }
}
