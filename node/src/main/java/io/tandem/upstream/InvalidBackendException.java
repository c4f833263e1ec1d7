package io.tandem.upstream;

/**
 * A backend field out of range (the same rules as the configuration file's). The admin API answers 400 with
 * {@link #getMessage()} and {@link #field()}.
 */
public final class InvalidBackendException extends IllegalArgumentException {
  private final String field;

  public InvalidBackendException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The offending field as the admin API names it: {@code id}, {@code host}, {@code port}, {@code weight}, ... */
  public String field() {
    return field;
  }
}
