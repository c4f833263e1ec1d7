package io.tandem.admin;

/**
 * A request the admin API refuses, with the status and the message the caller sees as {@code {"error": ...}} (and
 * {@code "field"} when one field is at fault). Thrown by handlers; the router's failure handler answers it.
 */
final class AdminException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String field;

  AdminException(int status, String message) {
    this(status, message, null);
  }

  AdminException(int status, String message, String field) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  static AdminException badField(String field, String message) {
    return new AdminException(400, message, field);
  }

  int status() {
    return status;
  }

  String field() {
    return field;
  }
}
