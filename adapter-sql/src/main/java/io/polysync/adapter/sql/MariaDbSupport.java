package io.polysync.adapter.sql;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jooq.SQLDialect;

/**
 * MariaDB and MySQL through MariaDB Connector/J: {@code mariadb://[user[:password]@]host[:port]/db}
 * or {@code mysql://...}, other query parameters passed to the driver. The two schemes differ only
 * in the jOOQ dialect (MySQL's dialect renders row-alias syntax that MariaDB rejects).
 *
 * <p>Connections run at READ COMMITTED, so the documents a writer reads after locking its namespace
 * row are the latest committed ones rather than an older REPEATABLE READ snapshot. DDL is not
 * transactional here: migrations hold {@code GET_LOCK} and every statement is idempotent, so a
 * migration cut short is completed by the next start.
 */
final class MariaDbSupport extends SqlDialectSupport {
  private static final String SCHEMA_LOCK = "polysync_schema";

  private final ServerAddress address;
  private final SQLDialect dialect;

  MariaDbSupport(
      StorageConfig config, Map<String, String> params, ServerAddress address, SQLDialect dialect) {
    super(config, params);
    this.address = address;
    this.dialect = dialect;
  }

  @Override
  String backend() {
    return dialect == SQLDialect.MYSQL ? "mysql" : "mariadb";
  }

  @Override
  SQLDialect dialect() {
    return dialect;
  }

  @Override
  Target target() {
    String url =
        "jdbc:mariadb://"
            + address.host()
            + ":"
            + address.port()
            + "/"
            + URLEncoder.encode(address.database(), StandardCharsets.UTF_8);
    Properties props = address.credentials();
    // Connector/J otherwise sends a batched UPDATE as one statement per row (it bulk-sends only
    // INSERTs by default), which makes a batch of compare-and-set updates several times slower
    // than the same batch of inserts. The adapter reads no per-row counts of a batch, which the
    // bulk command does not return.
    props.setProperty("useBulkStmts", "true");
    driverParams(params).forEach(props::setProperty);
    return new Target(url, "org.mariadb.jdbc.Driver", props, params);
  }

  @Override
  List<String> migration(int version) {
    String table = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    return switch (version) {
      case 1 ->
          List.of(
              """
              CREATE TABLE IF NOT EXISTS polysync_namespaces (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                name VARBINARY(255) NOT NULL,
                metadata LONGTEXT NOT NULL,
                last_seq BIGINT NOT NULL,
                last_ts BIGINT NOT NULL,
                doc_count BIGINT NOT NULL,
                deleted_count BIGINT NOT NULL,
                bodies_exact BOOLEAN NOT NULL,
                UNIQUE KEY polysync_namespaces_name (name))\
              """
                  + table,
              """
              CREATE TABLE IF NOT EXISTS polysync_documents (
                ns_id BIGINT NOT NULL,
                doc_id VARBINARY(512) NOT NULL,
                seq BIGINT NOT NULL,
                ts BIGINT NOT NULL,
                winning_rev TEXT NOT NULL,
                deleted BOOLEAN NOT NULL,
                state LONGBLOB NOT NULL,
                query_body LONGTEXT,
                PRIMARY KEY (ns_id, doc_id),
                UNIQUE KEY polysync_documents_seq (ns_id, seq))\
              """
                  + table,
              """
              CREATE TABLE IF NOT EXISTS polysync_locals (
                ns_id BIGINT NOT NULL,
                id VARBINARY(512) NOT NULL,
                version BIGINT NOT NULL,
                body LONGBLOB NOT NULL,
                PRIMARY KEY (ns_id, id))\
              """
                  + table,
              """
              CREATE TABLE IF NOT EXISTS polysync_blobs (
                ns_id BIGINT NOT NULL,
                blob_key VARBINARY(255) NOT NULL,
                data LONGBLOB NOT NULL,
                PRIMARY KEY (ns_id, blob_key))\
              """
                  + table);
      // Step 2 changed column types on H2 only.
      case 2 -> List.of();
      default -> throw new IllegalArgumentException("no migration " + version);
    };
  }

  @Override
  void withSchemaLock(Connection connection, SqlWork work) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT GET_LOCK('" + SCHEMA_LOCK + "', 60)")) {
      if (!rs.next() || rs.getInt(1) != 1) {
        throw new SyncException(
            StorageError.UNAVAILABLE,
            "timed out waiting for another process to migrate the schema of "
                + config.redactedUri());
      }
    }
    try {
      work.run(connection);
    } finally {
      try (Statement st = connection.createStatement()) {
        st.execute("SELECT RELEASE_LOCK('" + SCHEMA_LOCK + "')");
      }
    }
  }

  @Override
  long maxValueBytes() {
    // Values travel escaped in text-protocol statements under the server's 16 MiB packet default.
    return 4L << 20;
  }

  @Override
  boolean isTransient(SQLException e) {
    return super.isTransient(e) || e.getErrorCode() == 1213 || e.getErrorCode() == 1205;
  }
}
