package io.tandem.admin;

import io.tandem.config.ConfigError;
import java.util.List;

/**
 * What one node's reload came to: applied, rejected with configuration errors (each naming file and field), or
 * failed for another reason ({@code message}).
 */
public record ReloadResult(boolean ok, List<ConfigError> errors, String message) {

  public ReloadResult {
    errors = List.copyOf(errors);
  }

  public static ReloadResult applied() {
    return new ReloadResult(true, List.of(), null);
  }

  public static ReloadResult rejected(List<ConfigError> errors) {
    return new ReloadResult(false, errors, errors.size() + " configuration error(s)");
  }

  public static ReloadResult failed(String message) {
    return new ReloadResult(false, List.of(), message);
  }
}
