package io.tandem.config;

import java.time.Duration;

/**
 * Process-wide settings (YAML section {@code node}).
 *
 * @param eventLoops  number of event loops for the data plane; 0 means one per core
 * @param drainTimeout how long a graceful stop waits for in-flight requests
 */
public record NodeSettings(int eventLoops, Duration drainTimeout) {
  public static final NodeSettings DEFAULTS = new NodeSettings(0, Duration.ofSeconds(30));
}
