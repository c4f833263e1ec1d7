package io.tandem.proxy.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plain-text listener socket: shared by the loops that join it, spread over them, closed when the last leaves. */
class HttpAcceptorTest {
  private Vertx vertx;
  private EventLoop first;
  private EventLoop second;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    first = ((ContextInternal) vertx.getOrCreateContext()).nettyEventLoop();
    second = ((ContextInternal) ((VertxInternal) vertx).createEventLoopContext()).nettyEventLoop();
    assertTrue(first != second, "two distinct event loops");
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private int join(HttpAcceptor acceptor, EventLoop loop, Map<EventLoop, AtomicInteger> seen) throws Exception {
    VertxInternal vx = (VertxInternal) vertx;
    return acceptor.join(vx.acceptorEventLoopGroup(), vx.transport().serverChannelFactory(false), loop,
        (Channel ch) -> {
          // Handed over on the loop the connection was registered with.
          assertTrue(ch.eventLoop().inEventLoop());
          seen.computeIfAbsent(ch.eventLoop(), l -> new AtomicInteger()).incrementAndGet();
          ch.close();
        }).get(10, TimeUnit.SECONDS);
  }

  @Test
  void connectionsGoRoundRobinToTheJoinedLoopsUntilTheLastLeaves() throws Exception {
    HttpAcceptor acceptor = new HttpAcceptor("127.0.0.1", 0);
    Map<EventLoop, AtomicInteger> seen = new ConcurrentHashMap<>();
    int port = join(acceptor, first, seen);
    assertEquals(port, join(acceptor, second, seen), "the second loop joins the bound socket");
    for (int i = 0; i < 8; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        assertTrue(s.isConnected());
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.values().stream().mapToInt(AtomicInteger::get).sum() == 8);
    assertEquals(4, seen.get(first).get());
    assertEquals(4, seen.get(second).get());

    acceptor.leave(first);
    try (Socket s = new Socket("127.0.0.1", port)) {
      assertTrue(s.isConnected(), "still listening while one loop is joined");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.get(second).get() == 5);
    acceptor.leave(second);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close()));
  }

  @Test
  void aTakenPortFailsTheJoinWithTheSystemsReason() throws IOException {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      HttpAcceptor acceptor = new HttpAcceptor("127.0.0.1", taken.getLocalPort());
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> join(acceptor, first, new ConcurrentHashMap<>()));
      assertTrue(String.valueOf(e.getCause().getMessage()).contains("Address already in use"),
          e.getCause().toString());
    }
  }
}
