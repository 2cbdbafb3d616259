package io.polysync.adapter.sql;

import io.polysync.spi.StorageConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;

final class SqliteSchemaTest extends SchemaChecks {
  @TempDir Path dir;
  private int databases;

  @Override
  StorageConfig freshDatabase() {
    return StorageConfig.of("sqlite:" + dir.resolve("db" + ++databases).resolve("polysync.db"));
  }

  @Override
  Connection jdbc(StorageConfig config) throws SQLException {
    return DriverManager.getConnection("jdbc:" + config.uri());
  }
}
