package io.polysync.bootstrap;

import static java.util.Objects.requireNonNull;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

/**
 * Where a command reads and writes: its output, its messages and progress, standard input, and
 * the terminal when there is one (prompts, confirmations and the progress bar need it).
 *
 * @param terminal the console when standard input and output are a terminal; empty when they are
 *     redirected, in a script or under a test
 */
record CliIo(PrintStream out, PrintStream err, InputStream in, Optional<Console> terminal) {
  CliIo {
    requireNonNull(out, "out is null");
    requireNonNull(err, "err is null");
    requireNonNull(in, "in is null");
    requireNonNull(terminal, "terminal is null");
  }

  /** The process's streams; a terminal only when {@link #isTerminal} says so. */
  static CliIo system() {
    Console console = System.console();
    return new CliIo(System.out, System.err, System.in,
        Optional.ofNullable(console).filter(CliIo::isTerminal));
  }

  /** {@code n} and the noun, singular for one: {@code count(1, "namespace")} is "1 namespace". */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** No terminal: what scripts, pipes and tests see. */
  static CliIo of(PrintStream out, PrintStream err, InputStream in) {
    return new CliIo(out, err, in, Optional.empty());
  }

  /**
   * Since JDK 22 {@link System#console()} answers a console even when the streams are redirected;
   * {@code Console.isTerminal()} (JDK 22+) then tells. Looked up at run time because the code is
   * compiled for Java 21, where a non-null console is a terminal.
   */
  private static boolean isTerminal(Console console) {
    try {
      MethodHandle isTerminal = MethodHandles.publicLookup()
          .findVirtual(Console.class, "isTerminal", MethodType.methodType(boolean.class));
      return (boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return true;
    } catch (Throwable e) {
      return false;
    }
  }
}
