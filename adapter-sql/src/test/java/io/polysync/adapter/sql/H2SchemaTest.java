package io.polysync.adapter.sql;

import io.polysync.spi.StorageConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;

final class H2SchemaTest extends SchemaChecks {
  @TempDir Path dir;
  private int databases;

  @Override
  StorageConfig freshDatabase() {
    return StorageConfig.of("h2:" + dir.resolve("db" + ++databases).resolve("polysync"));
  }

  @Override
  Connection jdbc(StorageConfig config) throws SQLException {
    return DriverManager.getConnection("jdbc:h2:file:" + config.uri().substring("h2:".length()));
  }
}
