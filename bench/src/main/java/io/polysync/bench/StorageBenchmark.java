package io.polysync.bench;

import io.polysync.spi.ChangesRange;
import io.polysync.spi.JsonValue;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

/**
 * The storage benchmark: for each SQL backend, documents per second for batched conditional writes
 * (inserts, then compare-and-set updates of the same documents), for reading the changes feed, and
 * for raw JDBC batches of the same rows in the same run, into a table with the same two indexes (id
 * and sequence) — the ceilings the adapter is judged against.
 *
 * <p>There are two ceilings, because an update is not an insert: it replaces the row in place,
 * moves its entry in the sequence index (delete and insert) and, on some backends, takes a
 * different path through the driver. "raw insert" inserts the rows with one batched {@code INSERT}
 * per batch; "raw update" then rewrites every row with one batched {@code UPDATE ... WHERE doc_id
 * = ?} per batch, new sequence included, as the adapter's compare-and-set updates do. Inserts are
 * judged against the first and updates against the second. The raw side uses each driver's fastest
 * batch setting (PostgreSQL's {@code reWriteBatchedInserts}, MariaDB's {@code useBulkStmts}); on
 * PostgreSQL that rewrite applies to inserts only, so the adapter, which overwrites rows with a
 * multi-row upsert there, may beat the raw update.
 *
 * <p>Rounds alternate adapter and raw runs so that warm-up and background noise fall on both
 * sides; the best round of each is reported. Figures print; nothing is asserted.
 *
 * <pre>
 * ./polysync bench storage [--backends sqlite,h2,postgresql,mariadb] [--docs 20000]
 *                          [--batch 1000] [--rounds 3] [--body-bytes 300]
 *                          [--postgresql URI] [--mariadb URI]
 * </pre>
 */
public final class StorageBenchmark {

  private StorageBenchmark() {}

  record Options(
      List<String> backends,
      int docs,
      int batch,
      int rounds,
      int bodyBytes,
      String postgresUri,
      String mariadbUri) {}

  record Figures(
      double insertRate,
      double updateRate,
      double changesRate,
      double rawInsertRate,
      double rawUpdateRate) {}

  /** One run of the raw ceiling, in documents per second. */
  record Raw(double insertRate, double updateRate) {}

  public static void main(String[] args) throws Exception {
    Options options = parse(args);
    Path scratch = Files.createTempDirectory("polysync-bench");
    System.out.printf(
        Locale.ROOT,
        "Polysync storage benchmark: %d documents of ~%d-byte bodies, batches of %d, best of %d rounds%n"
            + "JVM %s on %d cores%n%n",
        options.docs(), options.bodyBytes(), options.batch(), options.rounds(),
        Runtime.version(), Runtime.getRuntime().availableProcessors());
    Map<String, Figures> results = new LinkedHashMap<>();
    for (String backend : options.backends()) {
      Target target = target(backend, options, scratch);
      try {
        results.put(backend, run(target, options));
      } catch (RuntimeException | SQLException e) {
        System.out.printf("%-11s failed: %s%n", backend, e.getMessage());
      }
    }
    printTable(results);
    deleteQuietly(scratch);
  }

  /** A backend: its storage URI and the JDBC connection the raw ceiling uses. */
  record Target(String name, String storageUri, String jdbcUrl, Properties jdbcProperties, String blobType,
      String textType, String idType) {}

  static Target target(String backend, Options options, Path scratch) {
    Properties props = new Properties();
    return switch (backend) {
      case "sqlite" -> {
        Path file = scratch.resolve("bench.db");
        Path raw = scratch.resolve("raw.db");
        yield new Target("sqlite", "sqlite:" + file, "jdbc:sqlite:" + raw, props, "BLOB", "TEXT",
            "TEXT");
      }
      case "h2" -> new Target("h2", "h2:" + scratch.resolve("bench-h2"),
          "jdbc:h2:" + scratch.resolve("raw-h2") + ";WRITE_DELAY=0", props, "VARBINARY(1000000)",
          "CHARACTER VARYING",
          "VARCHAR(512)");
      case "postgresql" -> {
        var uri = java.net.URI.create(options.postgresUri());
        credentials(uri, "postgres", props);
        props.setProperty("reWriteBatchedInserts", "true");
        yield new Target("postgresql", options.postgresUri(),
            "jdbc:postgresql://" + uri.getHost() + ":" + port(uri, 5432) + uri.getPath(), props,
            "BYTEA", "TEXT", "VARCHAR(512) COLLATE \"C\"");
      }
      case "mariadb" -> {
        var uri = java.net.URI.create(options.mariadbUri());
        credentials(uri, "root", props);
        props.setProperty("useBulkStmts", "true");
        yield new Target("mariadb", options.mariadbUri(),
            "jdbc:mariadb://" + uri.getHost() + ":" + port(uri, 3306) + uri.getPath(), props,
            "LONGBLOB", "LONGTEXT", "VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
      }
      default -> throw new IllegalArgumentException(
          "unknown backend " + backend + " (sqlite, h2, postgresql, mariadb)");
    };
  }

  static Figures run(Target target, Options options) throws SQLException {
    List<Doc> docs = documents(options);
    double bestInsert = 0;
    double bestUpdate = 0;
    double bestChanges = 0;
    double bestRawInsert = 0;
    double bestRawUpdate = 0;
    try (Storage storage = Storages.open(StorageConfig.of(target.storageUri()))) {
      for (int round = 0; round < options.rounds(); round++) {
        // Alternate which side goes first so warm-up and noise are shared.
        if (round % 2 == 0) {
          Raw raw = raw(target, docs, options.batch());
          bestRawInsert = Math.max(bestRawInsert, raw.insertRate());
          bestRawUpdate = Math.max(bestRawUpdate, raw.updateRate());
        }
        String namespace = "bench-" + UUID.randomUUID();
        storage.namespaces().create(namespace, Map.of());
        long[] seqs = new long[docs.size()];
        bestInsert = Math.max(bestInsert, write(storage, namespace, docs, seqs, options.batch()));
        bestUpdate = Math.max(bestUpdate, write(storage, namespace, docs, seqs, options.batch()));
        bestChanges = Math.max(bestChanges, changes(storage, namespace, docs.size(), options.batch()));
        storage.namespaces().drop(namespace);
        if (round % 2 == 1) {
          Raw raw = raw(target, docs, options.batch());
          bestRawInsert = Math.max(bestRawInsert, raw.insertRate());
          bestRawUpdate = Math.max(bestRawUpdate, raw.updateRate());
        }
      }
    }
    return new Figures(bestInsert, bestUpdate, bestChanges, bestRawInsert, bestRawUpdate);
  }

  /** One ~N-byte body per document, as the engine would hand it over. */
  record Doc(String id, String rev, byte[] state, JsonValue.JsonObject body) {}

  static List<Doc> documents(Options options) {
    Random random = new Random(42);
    List<Doc> docs = new ArrayList<>(options.docs());
    for (int i = 0; i < options.docs(); i++) {
      String id = String.format(Locale.ROOT, "doc-%08d", i);
      String rev = "1-" + UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
      Map<String, JsonValue> members = new LinkedHashMap<>();
      members.put("type", new JsonValue.JsonString("note"));
      members.put("n", JsonValue.JsonNumber.of(i));
      members.put("done", random.nextBoolean() ? JsonValue.JsonBoolean.TRUE : JsonValue.JsonBoolean.FALSE);
      int textLength = Math.max(0, options.bodyBytes() - 60);
      char[] text = new char[textLength];
      for (int c = 0; c < textLength; c++) {
        text[c] = (char) ('a' + random.nextInt(26));
      }
      members.put("text", new JsonValue.JsonString(new String(text)));
      JsonValue.JsonObject body = new JsonValue.JsonObject(members);
      String state = "{\"v\":1,\"tree\":[[1,\"" + rev.substring(2) + "\"]],\"leaf\":" + body.toJson() + "}";
      docs.add(new Doc(id, rev, state.getBytes(StandardCharsets.UTF_8), body));
    }
    return docs;
  }

  /** Writes every document once, in batches, with compare-and-set against {@code seqs}. */
  static double write(Storage storage, String namespace, List<Doc> docs, long[] seqs, int batch) {
    long start = System.nanoTime();
    for (int from = 0; from < docs.size(); from += batch) {
      int to = Math.min(docs.size(), from + batch);
      List<WriteItem> items = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        Doc d = docs.get(i);
        items.add(new WriteItem(d.id(), d.rev(), false, d.state(), seqs[i], Optional.of(d.body())));
      }
      List<WriteResult> results = storage.documents().write(namespace, items);
      for (int i = from; i < to; i++) {
        if (!(results.get(i - from) instanceof WriteResult.Written written)) {
          throw new IllegalStateException("write was not applied: " + results.get(i - from));
        }
        seqs[i] = written.seq();
      }
    }
    return docs.size() / seconds(start);
  }

  /** Follows the changes feed from 0 to the end, a page of {@code batch} at a time. */
  static double changes(Storage storage, String namespace, int expected, int batch) {
    long start = System.nanoTime();
    long since = 0;
    int seen = 0;
    while (true) {
      List<StoredDocument> page = storage.documents().changes(namespace, ChangesRange.after(since, batch));
      if (page.isEmpty()) {
        break;
      }
      seen += page.size();
      since = page.get(page.size() - 1).seq();
    }
    if (seen != expected) {
      throw new IllegalStateException("changes feed returned " + seen + " of " + expected);
    }
    return seen / seconds(start);
  }

  /**
   * The ceilings: the same rows inserted with plain JDBC batches into a table of the same shape,
   * then each rewritten once with a new sequence, timestamp and revision.
   */
  static Raw raw(Target target, List<Doc> docs, int batch) throws SQLException {
    try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.jdbcProperties())) {
      try (Statement s = c.createStatement()) {
        if (target.name().equals("sqlite")) {
          s.execute("PRAGMA journal_mode=WAL");
          s.execute("PRAGMA synchronous=NORMAL");
        }
        s.execute("DROP TABLE IF EXISTS bench_raw");
        s.execute("CREATE TABLE bench_raw (doc_id " + target.idType() + " NOT NULL PRIMARY KEY, "
            + "seq BIGINT NOT NULL, ts BIGINT NOT NULL, rev VARCHAR(64) NOT NULL, deleted BOOLEAN NOT NULL, "
            + "state " + target.blobType() + " NOT NULL, body " + target.textType() + ")");
        // The adapter keeps a unique index on the sequence for the changes feed; so does the ceiling.
        s.execute("CREATE UNIQUE INDEX bench_raw_seq ON bench_raw (seq)");
      }
      c.setAutoCommit(false);
      long start = System.nanoTime();
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO bench_raw (doc_id, seq, ts, rev, deleted, state, body) VALUES (?,?,?,?,?,?,?)")) {
        long seq = 0;
        for (int from = 0; from < docs.size(); from += batch) {
          int to = Math.min(docs.size(), from + batch);
          for (int i = from; i < to; i++) {
            Doc d = docs.get(i);
            insert.setString(1, d.id());
            insert.setLong(2, ++seq);
            insert.setLong(3, System.currentTimeMillis());
            insert.setString(4, d.rev());
            insert.setBoolean(5, false);
            insert.setBytes(6, d.state());
            insert.setString(7, d.body().toJson());
            insert.addBatch();
          }
          insert.executeBatch();
          c.commit();
        }
      }
      double insertRate = docs.size() / seconds(start);
      start = System.nanoTime();
      try (PreparedStatement update = c.prepareStatement(
          "UPDATE bench_raw SET seq = ?, ts = ?, rev = ?, deleted = ?, state = ?, body = ? WHERE doc_id = ?")) {
        long seq = docs.size();
        for (int from = 0; from < docs.size(); from += batch) {
          int to = Math.min(docs.size(), from + batch);
          for (int i = from; i < to; i++) {
            Doc d = docs.get(i);
            update.setLong(1, ++seq);
            update.setLong(2, System.currentTimeMillis());
            update.setString(3, d.rev());
            update.setBoolean(4, false);
            update.setBytes(5, d.state());
            update.setString(6, d.body().toJson());
            update.setString(7, d.id());
            update.addBatch();
          }
          update.executeBatch();
          c.commit();
        }
      }
      double updateRate = docs.size() / seconds(start);
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE bench_raw");
      }
      c.commit();
      return new Raw(insertRate, updateRate);
    }
  }

  static void printTable(Map<String, Figures> results) {
    System.out.println();
    System.out.printf("%-11s %13s %13s %14s %17s %17s %11s %11s%n", "backend", "insert doc/s",
        "update doc/s", "changes doc/s", "raw insert doc/s", "raw update doc/s", "raw/insert",
        "raw/update");
    for (var e : results.entrySet()) {
      Figures f = e.getValue();
      System.out.printf(Locale.ROOT, "%-11s %13.0f %13.0f %14.0f %17.0f %17.0f %10.2fx %10.2fx%n",
          e.getKey(), f.insertRate(), f.updateRate(), f.changesRate(), f.rawInsertRate(),
          f.rawUpdateRate(), f.rawInsertRate() / f.insertRate(),
          f.rawUpdateRate() / f.updateRate());
    }
  }

  static Options parse(String[] args) {
    List<String> backends = List.of("sqlite", "h2", "postgresql", "mariadb");
    int docs = 20_000;
    int batch = 1_000;
    int rounds = 3;
    int bodyBytes = 300;
    String postgres = "postgresql://postgres@127.0.0.1:5432/test";
    String mariadb = "mariadb://root@127.0.0.1:3306/test";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--backends" -> backends = Arrays.asList(require(args[i], value).split(","));
        case "--docs" -> docs = Integer.parseInt(require(args[i], value));
        case "--batch" -> batch = Integer.parseInt(require(args[i], value));
        case "--rounds" -> rounds = Integer.parseInt(require(args[i], value));
        case "--body-bytes" -> bodyBytes = Integer.parseInt(require(args[i], value));
        case "--postgresql" -> postgres = require(args[i], value);
        case "--mariadb" -> mariadb = require(args[i], value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
      i++;
    }
    return new Options(backends, docs, batch, rounds, bodyBytes, postgres, mariadb);
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }

  private static void credentials(java.net.URI uri, String defaultUser, Properties props) {
    String info = uri.getUserInfo();
    if (info == null || info.isEmpty()) {
      props.setProperty("user", defaultUser);
      return;
    }
    int colon = info.indexOf(':');
    props.setProperty("user", colon < 0 ? info : info.substring(0, colon));
    if (colon >= 0) {
      props.setProperty("password", info.substring(colon + 1));
    }
  }

  private static int port(java.net.URI uri, int fallback) {
    return uri.getPort() < 0 ? fallback : uri.getPort();
  }

  private static double seconds(long startNanos) {
    return Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
  }

  static void deleteQuietly(Path path) throws IOException {
    if (Files.exists(path)) {
      try (var walk = Files.walk(path)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
