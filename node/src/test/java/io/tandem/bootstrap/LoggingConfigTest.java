package io.tandem.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AsyncAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.time.MutableInstant;
import org.apache.logging.log4j.message.MapMessage;
import org.apache.logging.log4j.message.Message;
import org.apache.logging.log4j.message.SimpleMessage;
import org.apache.logging.log4j.message.StringMapMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The production log4j2.xml, loaded into a context of its own (tests otherwise use log4j2-test.xml). */
class LoggingConfigTest {
  private final ObjectMapper json = new ObjectMapper();
  private LoggerContext context;
  private Configuration config;

  @BeforeEach
  void load() throws Exception {
    context = new LoggerContext("production-config-test");
    config = new XmlConfiguration(context,
        ConfigurationSource.fromResource("log4j2.xml", getClass().getClassLoader()));
    context.start(config);
    config = context.getConfiguration();
  }

  @AfterEach
  void stop() {
    context.stop();
  }

  private Map<?, ?> render(String appender, String logger, Message message) throws Exception {
    Appender target = config.getAppender(appender);
    MutableInstant epoch = new MutableInstant();
    epoch.initFromEpochMilli(1000, 0); // 0 would mean "now" to the builder
    String line = (String) target.getLayout().toSerializable(Log4jLogEvent.newBuilder()
        .setLoggerName(logger).setLevel(Level.INFO).setMessage(message).setInstant(epoch).build());
    assertEquals(1, line.lines().count(), line);
    return json.readValue(line, Map.class);
  }

  @Test
  void accessLogGoesThroughANonBlockingAsyncAppenderOnly() {
    LoggerConfig access = config.getLoggerConfig("tandem.access");
    assertEquals("tandem.access", access.getName());
    assertEquals(Level.INFO, access.getLevel());
    assertFalse(access.isAdditive());
    assertEquals(List.of("AccessAsync"), List.copyOf(access.getAppenders().keySet()));

    AsyncAppender async = config.getAppender("AccessAsync");
    assertFalse(async.isBlocking());
    assertEquals(8192, async.getQueueCapacity());
    assertEquals(List.of("AccessJson"), List.of(async.getAppenderRefStrings()));
  }

  @Test
  void accessEventIsOneFlatJsonObjectOfTheMapEntries() throws Exception {
    StringMapMessage event = new StringMapMessage()
        .with("ts", "2025-01-01T00:00:00Z").with("listener", "web").with("method", "GET").with("uri", "/a?b=1")
        .with("status", "200").with("outcome", "OK").with("pool", "default").with("backend", "b1")
        .with("duration_ms", "3").with("request_id", "r-1").with("client", "10.0.0.1");

    assertEquals(event.getData(), render("AccessJson", "tandem.access", event));
  }

  @Test
  void numericMapValuesStayNumbers() throws Exception {
    MapMessage<?, Object> event = new MapMessage<>().with("status", 503).with("duration_ms", 12L);

    assertEquals(Map.of("status", 503, "duration_ms", 12), render("AccessJson", "tandem.access", event));
  }

  @Test
  void applicationLogsAreEcsJson() throws Exception {
    Map<?, ?> line = render("AppJson", "io.tandem.bootstrap.Launcher", new SimpleMessage("started with x.yaml"));

    assertEquals("started with x.yaml", line.get("message"));
    assertEquals("INFO", line.get("log.level"));
    assertEquals("io.tandem.bootstrap.Launcher", line.get("log.logger"));
    assertEquals("1970-01-01T00:00:01.000Z", line.get("@timestamp"));
  }

  @Test
  void nettyAndVertxLogOnlyWarnings() {
    assertEquals(Level.WARN, config.getLoggerConfig("io.netty").getLevel());
    assertEquals(Level.WARN, config.getLoggerConfig("io.vertx").getLevel());
    assertEquals(Level.INFO, config.getRootLogger().getLevel());
  }
}
