package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.tandem.config.HealthConfig;
import io.tandem.testing.GrpcBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * gRPC calls while backends go away, rotate their connections, fail health checks or change with a reload: no call is
 * lost.
 */
class GrpcResilienceTest extends GrpcTestBase {
  @Test
  void aBackendGoingAwayMidLoadLosesNoCall() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain().withDelay(20));
    GrpcBackend b2 = grpcBackend("b2", GrpcBackend.Options.plain().withDelay(20));
    startWith(h2cPool(b1, b2));
    ManagedChannel c = channel();
    SimpleServiceGrpc.SimpleServiceFutureStub stub = SimpleServiceGrpc.newFutureStub(c)
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    List<com.google.common.util.concurrent.ListenableFuture<SimpleResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      calls.add(stub.unaryRpc(msg("n" + i)));
      if (i == 150) {
        b1.shutdown();   // GOAWAY; what it took finishes, what it did not goes to b2
      }
      if (i % 50 == 49) {
        calls.get(i).get(20, TimeUnit.SECONDS);   // keep a few hundred in flight, not all at once
      }
    }
    Set<String> answered = new HashSet<>();
    for (var f : calls) {
      answered.add(backendOf(f.get(20, TimeUnit.SECONDS)));
    }
    assertEquals(Set.of("b1", "b2"), answered);
  }

  @Test
  void connectionsTheBackendRotatesByGoAwayLoseNoCall() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain().withDelay(5).withMaxConnectionAge(150));
    GrpcBackend b2 = grpcBackend("b2", GrpcBackend.Options.plain().withDelay(5).withMaxConnectionAge(150));
    startWith(h2cPool(b1, b2));
    SimpleServiceGrpc.SimpleServiceFutureStub stub = SimpleServiceGrpc.newFutureStub(channel());
    // Waves of calls until the backends have rotated their connections (each lives 150 ms), then one more wave on
    // the new ones: a call lost across a GOAWAY fails its future.
    int[] calls = {0};
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
      wave(stub, calls);
      return b1.connections() + b2.connections() > 2;
    });
    wave(stub, calls);
    assertTrue(b1.connections() + b2.connections() > 2, "the backends rotated their connections: "
        + b1.connections() + " + " + b2.connections() + " over " + calls[0] + " calls");
  }

  /** Twenty calls at once; each must answer (throws if one was lost). */
  private static void wave(SimpleServiceGrpc.SimpleServiceFutureStub stub, int[] calls) throws Exception {
    List<com.google.common.util.concurrent.ListenableFuture<SimpleResponse>> wave = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      wave.add(stub.withDeadlineAfter(20, TimeUnit.SECONDS).unaryRpc(msg("w" + i)));
    }
    for (var f : wave) {
      f.get(20, TimeUnit.SECONDS);
      calls[0]++;
    }
  }

  @Test
  void aReloadThatChangesThePoolLetsCallsInFlightFinish() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    startWith(h2cPool(b1));
    ManagedChannel c = channel();
    b1.hold("slow");
    var slow = SimpleServiceGrpc.newFutureStub(c).withDeadlineAfter(20, TimeUnit.SECONDS).unaryRpc(msg("slow"));
    await().atMost(Duration.ofSeconds(5)).until(() -> b1.held() == 1);
    node.reload(config(eventLoops(), front(), h2cPool(b1)
        .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(61)))).await(10, TimeUnit.SECONDS);
    assertEquals("b1:fast", blocking(c).unaryRpc(msg("fast")).getResponseMessage());   // on a new connection
    assertFalse(slow.isDone(), "the call taken before the reload is still in flight");
    b1.release();
    assertEquals("b1:slow", slow.get(20, TimeUnit.SECONDS).getResponseMessage());
    assertEquals(2, b1.connections());
  }

  @Test
  void aDeadBackendsCallsGoToTheOtherWithinTheHealthChecksTime() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    GrpcBackend b2 = grpcBackend("b2", GrpcBackend.Options.plain());
    HealthConfig health = new HealthConfig(new HealthConfig.Active(HealthConfig.CheckType.TCP, null, null, null, 0,
        0, null, Duration.ofMillis(100), Duration.ofMillis(200), 1, 1), null);
    startWith(h2cPool(b1, b2).health(health));
    ManagedChannel c = channel();
    for (int i = 0; i < 4; i++) {
      blocking(c).unaryRpc(msg("warm"));
    }
    b1.close();   // abrupt: connections reset, port closed
    // The bound is the await's: six calls in a row all answered by b2 within 5 s.
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      Set<String> last = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        try {
          last.add(backendOf(blocking(c).unaryRpc(msg("after"))));
        } catch (StatusRuntimeException e) {
          last.add("error");
        }
      }
      return last.equals(Set.of("b2"));
    });
  }

  @Test
  void aBackendTheGrpcHealthCheckFindsNotServingGetsNoCalls() throws Exception {
    GrpcBackend b1 = grpcBackend("b1", GrpcBackend.Options.plain());
    GrpcBackend b2 = grpcBackend("b2", GrpcBackend.Options.plain());
    HealthConfig health = new HealthConfig(HealthConfig.Active.grpc(null, null, Duration.ofMillis(100),
        Duration.ofMillis(500), 1, 1), null);
    startWith(h2cPool(b1, b2).health(health));
    ManagedChannel c = channel();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      Set<String> s = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        s.add(backendOf(blocking(c).unaryRpc(msg("both"))));
      }
      return s.size() == 2;
    });
    b1.health().setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      Set<String> s = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        s.add(backendOf(blocking(c).unaryRpc(msg("one"))));
      }
      return s.equals(Set.of("b2"));
    });
  }
}
