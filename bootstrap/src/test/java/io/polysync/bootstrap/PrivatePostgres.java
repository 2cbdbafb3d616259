package io.polysync.bootstrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test's own ({@code initdb} and {@code pg_ctl} from the newest
 * version under {@code /usr/lib/postgresql}), on a free port, its socket in its own directory.
 * PostgreSQL refuses to run as root, so when the test runs as root the cluster runs as the
 * {@code postgres} user (through {@code runuser}) in a directory given to that user.
 */
final class PrivatePostgres extends PrivateDatabase {
  private final Path bin;
  private final boolean asPostgresUser;
  private final String options;

  /** @param options query options for the storage URI, such as {@code pool.timeout=2000} */
  PrivatePostgres(String options) {
    super("postgresql");
    this.bin = newestBin();
    requireExecutable(bin.resolve("initdb"), "PostgreSQL's initdb");
    this.options = options;
    this.asPostgresUser = "root".equals(System.getProperty("user.name"));
    if (asPostgresUser) {
      try {
        UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(dir, postgres);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot give " + dir + " to the postgres user", e);
      }
    }
    run(command(bin.resolve("initdb").toString(), "-D", data().toString(), "-A", "trust", "-U", "postgres",
        "-E", "UTF8", "--locale=C", "--no-sync"), dir.resolve("initdb.log"), Duration.ofMinutes(2));
  }

  private static Path newestBin() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return root.resolve("none/bin");
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.filter(p -> Files.isExecutable(p.resolve("bin/initdb")))
          .max(Comparator.comparingInt(p -> versionNumber(p.getFileName().toString())))
          .map(p -> p.resolve("bin"))
          .orElse(root.resolve("none/bin"));
    } catch (IOException e) {
      return root.resolve("none/bin");
    }
  }

  private static int versionNumber(String name) {
    try {
      return Integer.parseInt(name.replaceAll("[^0-9].*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  private List<String> command(String... args) {
    List<String> out = new ArrayList<>();
    if (asPostgresUser) {
      out.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    out.addAll(List.of(args));
    return out;
  }

  @Override
  String storageUri() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres" + (options.isEmpty() ? "" : "?" + options);
  }

  @Override
  void start() {
    run(command(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", dir.resolve("server.log").toString(),
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "-w", "-t", "60", "start"),
        dir.resolve("pg_ctl.log"), Duration.ofSeconds(90));
    awaitListening(Duration.ofSeconds(30));
  }

  @Override
  void kill() {
    if (Files.exists(data().resolve("postmaster.pid"))) {
      // Immediate mode: every server process quits at once without a checkpoint, as in a crash;
      // the next start recovers from the write-ahead log.
      run(command(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop"),
          dir.resolve("pg_ctl.log"), Duration.ofSeconds(60));
    }
  }

  @Override
  void freeze() {
    signal("STOP", serverProcesses());
  }

  @Override
  void thaw() {
    signal("CONT", serverProcesses());
  }

  /** The postmaster (first line of postmaster.pid) and its children. */
  private List<Long> serverProcesses() {
    List<Long> out = new ArrayList<>();
    try {
      Path pidFile = data().resolve("postmaster.pid");
      if (!Files.exists(pidFile)) {
        return out;
      }
      long postmaster = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim());
      out.add(postmaster);
      ProcessHandle.of(postmaster).ifPresent(h -> h.children().forEach(c -> out.add(c.pid())));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
