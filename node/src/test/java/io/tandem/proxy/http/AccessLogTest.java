package io.tandem.proxy.http;

import io.tandem.testing.TestConfigs;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.config.AccessLogConfig;
import io.tandem.config.NodeSettings;
import io.tandem.config.TandemConfig;
import io.tandem.testing.FakeBackend;
import io.tandem.cluster.AdminState;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.message.MapMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One access-log event per request, carrying the outcome and the same request id the backend saw. */
class AccessLogTest extends ProxyTestBase {
  private final List<Map<String, String>> events = new CopyOnWriteArrayList<>();
  private final Logger access = (Logger) LogManager.getLogger("tandem.access");
  private final AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
    @Override
    public void append(LogEvent event) {
      events.add(((MapMessage<?, ?>) event.getMessage()).getData().entrySet().stream()
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()))));
    }
  };
  private Level previous;

  @Override
  protected int eventLoops() {
    return 1;
  }

  @AfterEach
  void detach() {
    access.removeAppender(capture);
    access.setLevel(previous);
  }

  @BeforeEach
  void attach() {
    previous = access.getLevel();
    capture.start();
    access.addAppender(capture);
    access.setLevel(Level.INFO);
  }

  private FakeBackend startLogged() throws Exception {
    FakeBackend b = backend("b1");
    start(new TandemConfig(null, TestConfigs.nodeSettings(1, Duration.ofSeconds(1)), List.of(listener("web").build()),
        List.of(pool("app").backend("b1", b.port()).build()), new AccessLogConfig(true)));
    return b;
  }

  @Test
  void logsEveryRequestWithItsOutcomeAndRequestId() throws Exception {
    FakeBackend b = startLogged();
    HttpResponse<String> r = get("/logged?q=1");
    assertEquals(200, r.statusCode());
    await().until(() -> events.size() == 1);
    Map<String, String> e = events.get(0);
    assertEquals("ok", e.get("outcome"));
    assertEquals("200", e.get("status"));
    assertEquals("/logged?q=1", e.get("uri"));
    assertEquals("app", e.get("pool"));
    assertEquals("b1", e.get("backend"));
    assertEquals(b.awaitRequests(1).get(0).header("x-request-id"), e.get("request_id"));
    assertEquals(String.valueOf(r.body().getBytes(StandardCharsets.UTF_8).length), e.get("bytes_out"));
  }

  @Test
  void ownAnswersAreLoggedWithTheirBodySize() throws Exception {
    startLogged();
    long v = node.registry().snapshot().version();
    node.registry().adminState("app", "b1", AdminState.DISABLED);
    await().until(() -> node.registry().snapshot().version() > v);
    HttpResponse<String> r = get("/refused");
    assertEquals(503, r.statusCode());
    await().until(() -> events.size() == 1);
    Map<String, String> e = events.get(0);
    assertEquals("no_backend", e.get("outcome"));
    assertEquals("503", e.get("status"));
    assertEquals(String.valueOf(r.body().length()), e.get("bytes_out"));
  }
}
