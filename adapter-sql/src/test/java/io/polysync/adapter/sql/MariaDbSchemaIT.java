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

/** Each check runs in a MariaDB database of its own, dropped afterwards. */
final class MariaDbSchemaIT extends SchemaChecks {
  private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
  private final List<String> databases = new ArrayList<>();

  @Override
  StorageConfig freshDatabase() throws SQLException {
    Services.requireReachable("127.0.0.1", 3306, "MariaDB");
    String db = "polysync_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(SERVER);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
    databases.add(db);
    return StorageConfig.of("mariadb://root@127.0.0.1:3306/" + db);
  }

  @Override
  Connection jdbc(StorageConfig config) throws SQLException {
    String db = config.uri().substring(config.uri().lastIndexOf('/') + 1);
    return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + db + "?user=root");
  }

  @AfterEach
  void dropDatabases() throws SQLException {
    try (Connection c = DriverManager.getConnection(SERVER);
        Statement st = c.createStatement()) {
      for (String db : databases) {
        st.execute("DROP DATABASE IF EXISTS " + db);
      }
    }
  }
}
