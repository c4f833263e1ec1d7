package io.tandem.config;

/**
 * Access log settings (YAML section {@code access-log}). The log itself is written asynchronously by Log4j2
 * (logger {@code tandem.access}); this switch lets the data path skip building the event at all.
 */
public record AccessLogConfig(boolean enabled) {
  public static final AccessLogConfig DEFAULTS = new AccessLogConfig(true);
}
