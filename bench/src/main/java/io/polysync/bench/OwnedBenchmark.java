package io.polysync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.EngineOptions;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.SecurityObject;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.UserContext;
import io.polysync.engine.WriteOutcome;
import io.polysync.spi.StorageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * What one user's changes feed costs on an owned database as the database grows: for each size N,
 * a fresh SQLite database filled with N documents of other users (each owning {@code --per-user}
 * of them) and, spread evenly through the fill, the measured user's own documents; then that
 * user's {@code _changes} from 0 (every own row) and an incremental one (one new own document
 * since the last sequence). Each figure is the median of {@code --rounds} runs after as many
 * untimed ones (at least 20), after a whole untimed pass at the smallest size; the last column divides it by the figure at the smallest N. Encryption at rest is on, as
 * the server's default. Figures print; nothing is asserted.
 *
 * <pre>
 * ./polysync bench owned [--sizes 1000,1000000] [--own 100] [--per-user 100] [--rounds 20]
 * </pre>
 */
public final class OwnedBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DATABASE = "shared";

  private OwnedBenchmark() {}

  record Options(List<Integer> sizes, int own, int perUser, int rounds) {}

  /** Medians in nanoseconds, and what the fill took. */
  record Figures(int size, double fillSeconds, double repairSeconds, long fullNanos, int fullRows,
      long incrementalNanos) {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Options options = parse(args);
    System.out.printf(Locale.ROOT, "Polysync owned-documents benchmark: one user's _changes among N other users'"
        + " documents (%d per user), SQLite, encryption on; the user owns %d; median of %d rounds%nJVM %s on %d"
        + " cores%n%n", options.perUser(), options.own(), options.rounds(), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    // One untimed pass first, so that the first size does not carry the JIT's warm-up.
    run(Math.min(1_000, options.sizes().get(0)), options);
    List<Figures> all = new ArrayList<>();
    for (int size : options.sizes()) {
      all.add(run(size, options));
    }
    Figures base = all.get(0);
    System.out.printf(Locale.ROOT, "%12s %10s %10s | %14s %12s %8s | %14s %12s %8s%n", "N others", "fill s",
        "check s", "feed from 0", "feeds/s", "x base", "incremental", "feeds/s", "x base");
    for (Figures f : all) {
      System.out.printf(Locale.ROOT, "%,12d %10.1f %10.1f | %11.3f ms %,12.0f %8.2f | %11.3f ms %,12.0f %8.2f%n",
          f.size(), f.fillSeconds(), f.repairSeconds(), f.fullNanos() / 1e6, 1e9 / f.fullNanos(),
          (double) f.fullNanos() / base.fullNanos(), f.incrementalNanos() / 1e6, 1e9 / f.incrementalNanos(),
          (double) f.incrementalNanos() / base.incrementalNanos());
    }
    System.out.printf(Locale.ROOT, "%nfeed from 0 returns the user's %d rows; incremental returns 1. \"check\" is the"
        + " index repair pass a process runs once per owned database (it reads every write since the last"
        + " one).%n", base.fullRows());
  }

  private static Figures run(int size, Options options) throws Exception {
    Path dir = Files.createTempDirectory("polysync-bench-owned");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    EngineOptions engineOptions = EngineOptions.defaults()
        .withKeyProvider(KeyProvider.ofKeys(Base64.getEncoder().encodeToString(key)));
    try (SyncEngine engine = SyncEngine.open(StorageConfig.of("sqlite:" + dir.resolve("owned.db")), engineOptions)) {
      Database db = engine.createDatabase(DATABASE);
      db.setSecurity(new SecurityObject(List.of(), List.of(), List.of(), List.of(UserContext.AUTHENTICATED), true));
      Database me = db.forUser(UserContext.of("me", List.of()));
      long start = System.nanoTime();
      int users = (size + options.perUser() - 1) / options.perUser();
      int ownWritten = 0;
      int written = 0;
      for (int u = 0; u < users; u++) {
        int count = Math.min(options.perUser(), size - written);
        Database other = db.forUser(UserContext.of("user" + u, List.of()));
        List<DocumentWrite> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          batch.add(DocumentWrite.of(JSON.createObjectNode().put("_id", "u" + u + "-" + i).put("n", i)
              .put("text", "a document of another user, about this long")));
        }
        check(other.bulkDocs(batch, true));
        written += count;
        // The user's own documents land evenly among the others', as in a database in use.
        while (ownWritten < options.own() && (long) ownWritten * size <= (long) written * options.own()) {
          me.put(JSON.createObjectNode().put("_id", "me-" + ownWritten).put("n", ownWritten));
          ownWritten++;
        }
        if (u % 1000 == 999) {
          System.err.printf(Locale.ROOT, "  N=%,d: %,d written%n", size, written);
        }
      }
      while (ownWritten < options.own()) {
        me.put(JSON.createObjectNode().put("_id", "me-" + ownWritten).put("n", ownWritten));
        ownWritten++;
      }
      double fill = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      db.repairOwnedIndex();
      double repair = (System.nanoTime() - start) / 1e9;

      // The JIT warms up on the first size: enough untimed rounds that its figures are not the outlier.
      int warm = Math.max(20, options.rounds());
      long[] full = new long[options.rounds()];
      int rows = 0;
      for (int r = -warm; r < options.rounds(); r++) {
        long t = System.nanoTime();
        ChangesResult result = me.changes(ChangesOptions.since(0));
        long took = System.nanoTime() - t;
        rows = result.results().size();
        if (rows != options.own()) {
          throw new IllegalStateException("the feed returned " + rows + " rows, not " + options.own());
        }
        if (r >= 0) {
          full[r] = took;
        }
      }
      long[] incremental = new long[options.rounds()];
      long since = me.changes(ChangesOptions.since(0)).lastSeq();
      for (int r = -warm; r < options.rounds(); r++) {
        me.put(JSON.createObjectNode().put("_id", "me-extra-" + (r + warm)));
        long t = System.nanoTime();
        ChangesResult result = me.changes(ChangesOptions.since(since));
        long took = System.nanoTime() - t;
        if (result.results().size() != 1) {
          throw new IllegalStateException("the incremental feed returned " + result.results().size() + " rows");
        }
        since = result.lastSeq();
        if (r >= 0) {
          incremental[r] = took;
        }
      }
      return new Figures(size, fill, repair, median(full), rows, median(incremental));
    } finally {
      deleteTree(dir);
    }
  }

  private static void check(List<WriteOutcome> outcomes) {
    for (WriteOutcome o : outcomes) {
      if (o instanceof WriteOutcome.Failed f) {
        throw new IllegalStateException("write failed: " + f);
      }
    }
  }

  static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static Options parse(String[] args) {
    return parse(args, "owned");
  }

  /** The options every one-user-among-many benchmark takes; {@code command} names it in the help. */
  static Options parse(String[] args, String command) {
    List<Integer> sizes = List.of(1_000, 1_000_000);
    int own = 100;
    int perUser = 100;
    int rounds = 20;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println("./polysync bench " + command + " [--sizes 1000,1000000] [--own 100] [--per-user 100] [--rounds 20]");
        System.exit(0);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + arg);
      }
      String value = args[++i];
      switch (arg) {
        case "--sizes" -> sizes = Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
        case "--own" -> own = Integer.parseInt(value);
        case "--per-user" -> perUser = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown option " + arg + "; --help lists them");
      }
    }
    if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s < 1) || own < 1 || perUser < 1 || rounds < 1) {
      throw new IllegalArgumentException("sizes, --own, --per-user and --rounds must be positive");
    }
    return new Options(sizes, own, perUser, rounds);
  }
}
