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
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final String loggerName;
  private Level restoreLevel;   // the configured logger's own level, when there is one

  /** One captured event: its level, logger, formatted message and throwable (null when none). */
  public record Event(Level level, String logger, String message, Throwable thrown) {
    @Override
    public String toString() {
      return level + " " + logger + " " + message + (thrown == null ? "" : " [thrown: " + thrown + where() + "]");
    }

    /** Where in Tandem's code the throwable came from: its first io.tandem frame, if any. */
    private String where() {
      for (StackTraceElement frame : thrown.getStackTrace()) {
        if (frame.getClassName().startsWith("io.tandem.")) {
          return " at " + frame;
        }
      }
      return "";
    }
  }

  private LogCapture(String loggerName) {
    super("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY);
    this.loggerName = loggerName;
  }

  public static LogCapture of(Class<?> loggerClass) {
    return of(loggerClass.getName());
  }

  /** Captures what the logger named {@code loggerName} (and its children) logs, at every level. */
  public static LogCapture of(String loggerName) {
    return of(loggerName, Level.ALL);
  }

  /**
   * Captures what the logger named {@code loggerName} (and its children) logs at {@code level} and above (a chatty
   * library such as Hazelcast slows down when everything down to TRACE is formatted).
   */
  public static LogCapture of(String loggerName, Level level) {
    LogCapture capture = new LogCapture(loggerName);
    capture.start();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    LoggerConfig configured = context.getConfiguration().getLoggers().get(capture.loggerName);
    if (configured != null) {
      // The test configuration names this logger (e.g. tandem.access, off): capture beside it, then restore it.
      capture.restoreLevel = configured.getLevel();
      configured.addAppender(capture, level, null);
      configured.setLevel(level);
    } else {
      LoggerConfig logger = new LoggerConfig(capture.loggerName, level, false);
      logger.addAppender(capture, level, null);
      context.getConfiguration().addLogger(capture.loggerName, logger);
    }
    context.updateLoggers();
    return capture;
  }

  @Override
  public void append(LogEvent event) {
    String message = event.getMessage().getFormattedMessage();
    lines.add(event.getLevel() + " " + message);
    events.add(new Event(event.getLevel(), event.getLoggerName(), message, event.getThrown()));
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The events captured so far, with their logger and throwable. */
  public List<Event> events() {
    return List.copyOf(events);
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
