package io.polysync.adapter.sql;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jooq.SQLDialect;

/**
 * SQLite: {@code sqlite:PATH}, relative or absolute; missing parent directories are created.
 *
 * <p>Connections run in WAL mode with a busy timeout, and every transaction begins with {@code
 * BEGIN IMMEDIATE}, so a writer takes the database write lock before it reads the sequence it
 * allocates from: writers are serialized across connections and processes, readers are not blocked.
 * {@code synchronous} defaults to {@code NORMAL}, which keeps every commit across a process kill
 * but may lose the last commits on a power loss or OS crash; {@code synchronous=full} (query
 * parameter or option) makes each commit durable against those too, at the cost of an fsync per
 * commit.
 *
 * <p>SQLite takes one writer at a time. Within one process, writers queue on a fair lock per
 * database file before they begin: SQLite's own busy handler would make a second writer sleep
 * (1, 2, 5, 10 ms and more) and poll, which adds whole milliseconds to a write that takes a
 * fraction of one, on every contended write (a live sync's checkpoint beside its documents).
 * Writers of other processes still meet the busy timeout.
 */
final class SqliteSupport extends SqlDialectSupport {
  private static final ConcurrentMap<Path, ReentrantLock> WRITERS = new ConcurrentHashMap<>();

  private final Path file;
  private final ReentrantLock writer;

  SqliteSupport(StorageConfig config, Map<String, String> params, String path) {
    super(config, params);
    this.file = Path.of(path).toAbsolutePath().normalize();
    this.writer = WRITERS.computeIfAbsent(file, f -> new ReentrantLock(true));
  }

  @Override
  <T> T write(Supplier<T> work) {
    writer.lock();
    try {
      return work.get();
    } finally {
      writer.unlock();
    }
  }

  @Override
  String backend() {
    return "sqlite";
  }

  @Override
  SQLDialect dialect() {
    return SQLDialect.SQLITE;
  }

  @Override
  Target target() {
    try {
      Path parent = file.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new SyncException(
          StorageError.UNAVAILABLE,
          "cannot create the directory of " + config.redactedUri() + ": " + e.getMessage(),
          e);
    }
    String synchronous = lower(params.getOrDefault("synchronous", "normal"));
    if (!List.of("off", "normal", "full", "extra").contains(synchronous)) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION,
          "synchronous must be off, normal, full or extra, got '" + synchronous + "'");
    }
    Properties props = new Properties();
    props.setProperty("journal_mode", "WAL");
    props.setProperty("synchronous", synchronous.toUpperCase(java.util.Locale.ROOT));
    props.setProperty("busy_timeout", params.getOrDefault("busy_timeout", "30000"));
    props.setProperty("foreign_keys", "true");
    props.setProperty("transaction_mode", "IMMEDIATE");
    driverParams(params)
        .forEach(
            (k, v) -> {
              if (!k.equals("busy_timeout")) {
                props.setProperty(k, v);
              }
            });
    return new Target("jdbc:sqlite:" + file, "org.sqlite.JDBC", props, params);
  }

  @Override
  List<String> migration(int version) {
    return switch (version) {
      case 1 ->
          List.of(
              """
              CREATE TABLE IF NOT EXISTS polysync_namespaces (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name BLOB NOT NULL UNIQUE,
                metadata TEXT NOT NULL,
                last_seq INTEGER NOT NULL,
                last_ts INTEGER NOT NULL,
                doc_count INTEGER NOT NULL,
                deleted_count INTEGER NOT NULL,
                bodies_exact INTEGER NOT NULL)\
              """,
              """
              CREATE TABLE IF NOT EXISTS polysync_documents (
                ns_id INTEGER NOT NULL,
                doc_id BLOB NOT NULL,
                seq INTEGER NOT NULL,
                ts INTEGER NOT NULL,
                winning_rev TEXT NOT NULL,
                deleted INTEGER NOT NULL,
                state BLOB NOT NULL,
                query_body TEXT,
                PRIMARY KEY (ns_id, doc_id),
                UNIQUE (ns_id, seq)) WITHOUT ROWID\
              """,
              """
              CREATE TABLE IF NOT EXISTS polysync_locals (
                ns_id INTEGER NOT NULL,
                id BLOB NOT NULL,
                version INTEGER NOT NULL,
                body BLOB NOT NULL,
                PRIMARY KEY (ns_id, id)) WITHOUT ROWID\
              """,
              """
              CREATE TABLE IF NOT EXISTS polysync_blobs (
                ns_id INTEGER NOT NULL,
                blob_key BLOB NOT NULL,
                data BLOB NOT NULL,
                PRIMARY KEY (ns_id, blob_key))\
              """);
      // Step 2 changed column types on H2 only.
      case 2 -> List.of();
      default -> throw new IllegalArgumentException("no migration " + version);
    };
  }

  @Override
  void withSchemaLock(Connection connection, SqlWork work) throws SQLException {
    // transaction_mode=IMMEDIATE: the transaction holds the write lock from its first statement.
    inTransaction(connection, work);
  }

  @Override
  SqlBodyFields bodyFields() {
    return new SqliteBodyFields();
  }

  @Override
  boolean lockRowsForUpdate() {
    return false;
  }

  @Override
  int defaultPoolSize() {
    return 4;
  }

  @Override
  boolean isTransient(SQLException e) {
    int code = e.getErrorCode() & 0xff;
    return code == 5 || code == 6; // SQLITE_BUSY, SQLITE_LOCKED
  }
}
