package io.polysync.adapter.sql;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.tck.Services;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/** Each check runs in a PostgreSQL schema of its own, dropped afterwards. */
final class PostgresSchemaIT extends SchemaChecks {
  private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  private final List<String> schemas = new ArrayList<>();

  @Override
  StorageConfig freshDatabase() throws SQLException {
    Services.requireReachable("127.0.0.1", 5432, "PostgreSQL");
    String schema = "polysync_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(SERVER);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    }
    schemas.add(schema);
    return StorageConfig.of("postgresql://postgres@127.0.0.1:5432/test?currentSchema=" + schema);
  }

  @Override
  Connection jdbc(StorageConfig config) throws SQLException {
    String schema = config.uri().substring(config.uri().indexOf("currentSchema=") + 14);
    return DriverManager.getConnection(SERVER + "&currentSchema=" + schema);
  }

  @AfterEach
  void dropSchemas() throws SQLException {
    try (Connection c = DriverManager.getConnection(SERVER);
        Statement st = c.createStatement()) {
      for (String schema : schemas) {
        st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }
}
