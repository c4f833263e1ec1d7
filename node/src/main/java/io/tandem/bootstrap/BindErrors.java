package io.tandem.bootstrap;

import java.util.regex.Pattern;

/** Why a socket could not be bound, worded the same with the NIO and the native (epoll) transport. */
final class BindErrors {
  /** Netty's native transport prefixes the system's message: {@code bind(..) failed with error(-98): }. */
  private static final Pattern NATIVE_PREFIX = Pattern.compile("^[a-z]+\\(\\.\\.\\) failed( with error\\(-?\\d+\\))?: ");

  private BindErrors() {}

  /** The system's reason, for example {@code Address already in use}. */
  static String reason(Throwable bindFailure) {
    String message = String.valueOf(bindFailure.getMessage());
    return NATIVE_PREFIX.matcher(message).replaceFirst("");
  }
}
