package io.polysync.bootstrap;

import java.util.List;

/**
 * The configuration is wrong: unknown keys, values of the wrong form, secret files that cannot be
 * read. Each problem is one line for the operator, naming the key and where it came from, never a
 * secret's value. The start stops with exit status 2, as for a bad command line.
 */
final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  static final int EXIT_STATUS = 2;

  private final List<String> problems;

  ConfigException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order met, so that one start reports them all. */
  List<String> problems() {
    return problems;
  }
}
