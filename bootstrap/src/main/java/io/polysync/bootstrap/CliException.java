package io.polysync.bootstrap;

/**
 * A command that cannot do what it was asked, worded for the operator (one line, no stack trace),
 * with the exit status: 1 when the work failed or found a problem, 2 when the command line was
 * wrong.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CliException(String message) {
    this(message, 1);
  }

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  static CliException usage(String message) {
    return new CliException(message, 2);
  }

  int exitCode() {
    return exitCode;
  }
}
