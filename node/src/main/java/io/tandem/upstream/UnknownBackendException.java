package io.tandem.upstream;

/** A change names a pool or a backend that does not exist. The admin API answers 404 with {@link #getMessage()}. */
public final class UnknownBackendException extends IllegalArgumentException {
  public UnknownBackendException(String message) {
    super(message);
  }
}
