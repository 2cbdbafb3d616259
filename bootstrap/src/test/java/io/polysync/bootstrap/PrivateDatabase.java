package io.polysync.bootstrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A database server of a test's own, on a free port in a temporary directory, that the test may
 * kill, freeze and start again without anyone else's tests seeing an outage. Nothing here touches
 * the machine's shared PostgreSQL or Redis.
 */
abstract class PrivateDatabase implements AutoCloseable {
  final Path dir;
  final int port;

  PrivateDatabase(String label) {
    try {
      this.dir = Files.createTempDirectory("polysync-" + label + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.port = freePort();
  }

  /** The storage URI of this database for {@code --storage}. */
  abstract String storageUri();

  /** Starts the server and returns once it accepts connections. */
  abstract void start();

  /** Ends the server the way a crash would: no shutdown, nothing flushed beyond what it had. */
  abstract void kill();

  /** Stops the server's processes without closing their connections (SIGSTOP). */
  abstract void freeze();

  /** Lets a frozen server go on (SIGCONT). */
  abstract void thaw();

  @Override
  public void close() {
    try {
      thaw();
    } catch (RuntimeException e) {
      // Not frozen, or already gone.
    }
    try {
      kill();
    } finally {
      deleteTree(dir);
    }
  }

  /** Skips the test on a developer machine without the binary; fails it in CI. */
  static void requireExecutable(Path binary, String what) {
    if (Files.isExecutable(binary)) {
      return;
    }
    String reason = what + " is not installed (" + binary + ")";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("FAILED: " + reason + "; CI must run the outage tests");
    }
    System.err.println("SKIPPED: " + reason);
    Assumptions.abort("SKIPPED: " + reason);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void awaitListening(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        sleep(100);
      }
    }
    throw new IllegalStateException(getClass().getSimpleName() + " did not listen on port " + port
        + " within " + within + "; see " + dir);
  }

  /** Runs a command to its end; its output goes to {@code log} in the directory. */
  static String run(List<String> command, Path log, Duration within) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", command));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", command)
            + "\n" + tail(log));
      }
      return tail(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends a signal to processes this test started, by process id. */
  static void signal(String signal, List<Long> pids) {
    if (pids.isEmpty()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(p -> command.add(Long.toString(p)));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String tail(Path log) {
    try {
      if (!Files.exists(log)) {
        return "";
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // Best effort: a temporary directory.
        }
      });
    } catch (IOException e) {
      // Best effort.
    }
  }
}
