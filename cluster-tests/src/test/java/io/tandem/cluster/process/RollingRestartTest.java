package io.tandem.cluster.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.Sessions;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue scenario 5: every node restarts in turn (SIGTERM, then a new process) while a client keeps sending session
 * requests to the nodes in service, one after the other. The client takes a node out of its rotation just before
 * the node is signalled (as a front load balancer would) and puts it back once it serves again; a request already
 * on its way to the stopping node must still be answered (graceful drain). No binding is lost.
 */
class RollingRestartTest {
  @TempDir
  Path dir;
  private Backends backends;
  private ProcessCluster cluster;
  private Thread loop;
  private volatile boolean running = true;

  @BeforeEach
  void backends() {
    backends = Backends.start(true);
  }

  @AfterEach
  void stop() throws Exception {
    running = false;
    if (loop != null) {
      loop.join(15_000);
    }
    if (cluster != null) {
      cluster.close();
    }
    if (backends != null) {
      backends.close();
    }
  }

  @Test
  void rollingRestartUnderTrafficLosesNoRequestAndNoBinding() throws Exception {
    cluster = new ProcessCluster(dir, List.of("127.0.0.1", "127.0.0.1", "127.0.0.1"),
        ProcessCluster.pool(backends.ports(), "    persistence: {type: none, learn-cookie: JSESSIONID}\n"));
    cluster.startAll();
    Sessions client = new Sessions();
    Map<String, String> owners = new LinkedHashMap<>();
    for (int s = 0; s < 30; s++) {
      String node = cluster.ids().get(s % 3);
      owners.put("roll" + s, client.login(cluster.httpPort(node), "roll" + s));
    }

    Map<String, Integer> inService = new ConcurrentHashMap<>();
    cluster.ids().forEach(id -> inService.put(id, cluster.httpPort(id)));
    List<String> errors = new CopyOnWriteArrayList<>();
    AtomicInteger sent = new AtomicInteger();
    List<String> sessions = new ArrayList<>(owners.keySet());
    loop = new Thread(() -> {
      int i = 0;
      while (running) {
        for (String node : List.of("n1", "n2", "n3")) {
          Integer port = inService.get(node);
          if (port == null || !running) {
            continue;
          }
          String session = sessions.get(i++ % sessions.size());
          try {
            HttpResponse<String> r = client.get(port, "/cart", session);
            String backend = r.headers().firstValue("x-backend").orElse(null);
            if (r.statusCode() != 200 || !owners.get(session).equals(backend)) {
              errors.add(node + " " + session + ": " + r.statusCode() + " from " + backend);
            }
          } catch (Exception e) {
            errors.add(node + " " + session + ": " + e);
          }
          sent.incrementAndGet();
        }
      }
    }, "client-loop");
    loop.start();

    for (String id : cluster.ids()) {
      int before = sent.get();
      inService.remove(id);
      assertEquals(0, cluster.stop(id), "graceful exit of " + id);
      cluster.start(id);
      inService.put(id, cluster.httpPort(id));
      assertTrue(sent.get() > before, "the client kept sending while " + id + " restarted");
    }
    running = false;
    loop.join(15_000);

    System.out.printf("MEASURE rolling restart of 3 nodes: %d client requests, %d errors %s%n", sent.get(),
        errors.size(), errors);
    assertEquals(List.of(), errors, "no request failed or went to another backend during the roll");
    for (String id : cluster.ids()) {
      for (Map.Entry<String, String> e : owners.entrySet()) {
        assertEquals(e.getValue(), client.backendFor(cluster.httpPort(id), e.getKey()),
            e.getKey() + " through " + id + " after the roll");
      }
    }
  }
}
