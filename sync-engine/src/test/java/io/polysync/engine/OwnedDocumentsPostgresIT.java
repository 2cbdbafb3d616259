package io.polysync.engine;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.tck.Services;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Owned documents on PostgreSQL, in a scratch database of its own dropped afterwards (skipped
 * loudly when the server at 127.0.0.1:5432 is absent, failed in CI).
 */
final class OwnedDocumentsPostgresIT extends OwnedDocumentsContract {
  private static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/%s?user=postgres";
  private String scratch;

  @Override
  SyncEngine openEngine() {
    Services.requireReachable("127.0.0.1", 5432, "PostgreSQL");
    scratch = "polysync_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute("CREATE DATABASE " + scratch);
    return SyncEngine.open(StorageConfig.of("postgresql://postgres@127.0.0.1:5432/" + scratch),
        TestStorages.options());
  }

  @Override
  void cleanUp() {
    if (scratch != null) {
      execute("DROP DATABASE IF EXISTS " + scratch + " WITH (FORCE)");
    }
  }

  private static void execute(String sql) {
    try (Connection c = DriverManager.getConnection(JDBC.formatted("test"));
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot run " + sql + " on PostgreSQL", e);
    }
  }
}
