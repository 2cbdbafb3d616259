package io.polysync.bootstrap;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the test's own, with the append-only file fsynced on every write
 * ({@code appendfsync always}), so a kill and restart keeps every acknowledged write, as the
 * durability table of docs/adapters/redis.md says.
 */
final class PrivateRedis extends PrivateDatabase {
  private final Path binary;
  private final String options;
  private Process process;

  /** @param options query options for the storage URI, such as {@code timeout=2s} */
  PrivateRedis(String options) {
    super("redis");
    this.binary = onPath("redis-server");
    requireExecutable(binary, "redis-server");
    this.options = options;
  }

  private static Path onPath(String name) {
    for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path candidate = Path.of(entry, name);
      if (candidate.toFile().canExecute()) {
        return candidate;
      }
    }
    return Path.of("/usr/bin", name);
  }

  @Override
  String storageUri() {
    return "redis://127.0.0.1:" + port + "/0?prefix=outage:" + (options.isEmpty() ? "" : "&" + options);
  }

  @Override
  void start() {
    try {
      process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
          "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitListening(Duration.ofSeconds(30));
  }

  @Override
  void kill() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  void freeze() {
    signal("STOP", List.of(process.pid()));
  }

  @Override
  void thaw() {
    if (process != null && process.isAlive()) {
      signal("CONT", List.of(process.pid()));
    }
  }
}
