package io.polysync.adapter.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.Storages;
import io.polysync.spi.SyncException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Schema versioning, per backend: migrations run once however many storages open a new database at
 * the same moment, and a database migrated by a newer Polysync is refused.
 */
abstract class SchemaChecks {
  /** A configuration naming a database no test has used yet. */
  abstract StorageConfig freshDatabase() throws Exception;

  /** A plain JDBC connection to the database of {@code config}. */
  abstract Connection jdbc(StorageConfig config) throws SQLException;

  @Test
  void open_concurrentlyOnNewDatabase_migratesOnce() throws Exception {
    StorageConfig config = freshDatabase();
    int openers = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(openers);
    List<Storage> storages = new ArrayList<>();
    try {
      List<Future<Storage>> opened = new ArrayList<>();
      for (int i = 0; i < openers; i++) {
        Callable<Storage> open =
            () -> {
              start.await();
              return Storages.open(config);
            };
        opened.add(pool.submit(open));
      }
      start.countDown();
      for (Future<Storage> f : opened) {
        storages.add(f.get());
      }
      storages.get(0).namespaces().create("made-by-first", Map.of());
      for (Storage s : storages) {
        assertThat(s.namespaces().get("made-by-first")).isPresent();
      }
    } finally {
      storages.forEach(Storage::close);
      pool.shutdownNow();
    }
    try (Connection c = jdbc(config);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*), MAX(version) FROM polysync_schema")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).as("one row per applied step").isEqualTo(SqlSchema.LATEST);
      assertThat(rs.getInt(2)).isEqualTo(SqlSchema.LATEST);
    }
  }

  @Test
  void open_schemaNewerThanCode_refusedWithClearMessage() throws Exception {
    StorageConfig config = freshDatabase();
    try (Storage s = Storages.open(config)) {
      s.namespaces().create("kept", Map.of());
    }
    try (Connection c = jdbc(config);
        Statement st = c.createStatement()) {
      st.executeUpdate(
          "INSERT INTO polysync_schema (version, applied_at) VALUES ("
              + (SqlSchema.LATEST + 1)
              + ", 0)");
    }
    SyncException refused = catchThrowableOfType(SyncException.class, () -> Storages.open(config));
    assertThat(refused).isNotNull();
    assertThat(refused.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
    assertThat(refused.getMessage())
        .contains("schema version " + (SqlSchema.LATEST + 1))
        .contains("upgrade Polysync");
  }
}
