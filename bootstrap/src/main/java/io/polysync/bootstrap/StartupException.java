package io.polysync.bootstrap;

/** A reason the server cannot start, worded for the operator: one line, no secrets, no stack trace. */
final class StartupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StartupException(String message) {
    super(message);
  }

  StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
