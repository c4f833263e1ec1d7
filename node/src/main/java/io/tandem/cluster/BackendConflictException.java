package io.tandem.cluster;

/**
 * A backend change that contradicts the pool as it is: adding an id the pool already has, or removing its last
 * backend. The admin API answers 409 with {@link #getMessage()}.
 */
public final class BackendConflictException extends RuntimeException {
  public BackendConflictException(String message) {
    super(message, null, false, false);
  }
}
