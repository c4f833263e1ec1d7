package io.tandem.bootstrap;

import io.tandem.config.TandemConfig;
import io.vertx.core.Future;
import java.time.Duration;

/** What the process wrapper (signals, command line) needs of a running node; lets it be tested with a stub. */
public interface RunningNode {
  Future<Void> reload(TandemConfig config);

  Future<Void> shutdown(Duration drain);

  TandemConfig config();
}
