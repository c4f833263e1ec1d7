package io.tandem.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Captures every event of one logger ("LEVEL message") while open, without printing it. */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final String loggerName;
  private Level restoreLevel;   // the configured logger's own level, when there is one

  private LogCapture(String loggerName) {
    super("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY);
    this.loggerName = loggerName;
  }

  public static LogCapture of(Class<?> loggerClass) {
    return of(loggerClass.getName());
  }

  /** Captures what the logger named {@code loggerName} (and its children) logs, at every level. */
  public static LogCapture of(String loggerName) {
    LogCapture capture = new LogCapture(loggerName);
    capture.start();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    LoggerConfig configured = context.getConfiguration().getLoggers().get(capture.loggerName);
    if (configured != null) {
      // The test configuration names this logger (e.g. tandem.access, off): capture beside it, then restore it.
      capture.restoreLevel = configured.getLevel();
      configured.addAppender(capture, Level.ALL, null);
      configured.setLevel(Level.ALL);
    } else {
      LoggerConfig logger = new LoggerConfig(capture.loggerName, Level.ALL, false);
      logger.addAppender(capture, Level.ALL, null);
      context.getConfiguration().addLogger(capture.loggerName, logger);
    }
    context.updateLoggers();
    return capture;
  }

  @Override
  public void append(LogEvent event) {
    lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration configuration = context.getConfiguration();
    if (restoreLevel != null) {
      LoggerConfig configured = configuration.getLoggers().get(loggerName);
      configured.removeAppender(getName());
      configured.setLevel(restoreLevel);
    } else {
      configuration.removeLogger(loggerName);
    }
    context.updateLoggers();
    stop();
  }
}
