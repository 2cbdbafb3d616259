package io.polysync.adapter.sql;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.tck.Services;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A database of its own on a local server for one test class, dropped afterwards. Tests never
 * share the server's {@code test} database with each other or with an older or newer checkout, so
 * a schema migrated by one never stops another from opening it.
 */
enum ScratchDatabase {
  POSTGRESQL("PostgreSQL", 5432, "jdbc:postgresql://127.0.0.1:5432/%s?user=postgres",
      "postgresql://postgres@127.0.0.1:5432/%s", "DROP DATABASE IF EXISTS %s WITH (FORCE)"),
  MARIADB("MariaDB", 3306, "jdbc:mariadb://127.0.0.1:3306/%s?user=root",
      "mariadb://root@127.0.0.1:3306/%s", "DROP DATABASE IF EXISTS %s");

  private final String label;
  private final int port;
  private final String jdbcUrl;
  private final String storageUri;
  private final String dropSql;

  ScratchDatabase(String label, int port, String jdbcUrl, String storageUri, String dropSql) {
    this.label = label;
    this.port = port;
    this.jdbcUrl = jdbcUrl;
    this.storageUri = storageUri;
    this.dropSql = dropSql;
  }

  /** Creates a fresh database (skipping loudly, or failing in CI, when the server is absent). */
  String create() {
    Services.requireReachable("127.0.0.1", port, label);
    String name = "polysync_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(jdbcUrl.formatted("test"));
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the scratch database " + name + " on " + label, e);
    }
    return name;
  }

  StorageConfig config(String name) {
    return StorageConfig.of(storageUri.formatted(name));
  }

  Connection connect(String name) throws SQLException {
    return DriverManager.getConnection(jdbcUrl.formatted(name));
  }

  void drop(String name) throws SQLException {
    if (name == null) {
      return;
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl.formatted("test"));
        Statement st = c.createStatement()) {
      st.execute(dropSql.formatted(name));
    }
  }
}
