package io.polysync.adapter.sql;

import io.polysync.spi.StorageConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** Each check runs in a PostgreSQL scratch database of its own, dropped afterwards. */
final class PostgresSchemaIT extends SchemaChecks {
  private final List<String> databases = new ArrayList<>();

  @Override
  StorageConfig freshDatabase() {
    String name = ScratchDatabase.POSTGRESQL.create();
    databases.add(name);
    return ScratchDatabase.POSTGRESQL.config(name);
  }

  @Override
  Connection jdbc(StorageConfig config) throws SQLException {
    return ScratchDatabase.POSTGRESQL.connect(config.uri().substring(config.uri().lastIndexOf('/') + 1));
  }

  @AfterEach
  void dropDatabases() throws SQLException {
    for (String name : databases) {
      ScratchDatabase.POSTGRESQL.drop(name);
    }
  }
}
