package io.polysync.adapter.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
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

  @Test
  void open_databaseAtVersion1_movesLobColumnsInlineAndKeepsRows() throws Exception {
    StorageConfig config = freshDatabase();
    String metadataValue = "m".repeat(2000);
    String longText = "x".repeat(3000);
    try (Connection c = jdbc(config);
        Statement st = c.createStatement()) {
      // The layout of step 1 as a released Polysync left it, with values long enough for LOBs.
      for (String ddl : new H2Support(config, Map.of(), "unused").migration(1)) {
        st.execute(ddl);
      }
      st.execute(
          "CREATE TABLE polysync_schema (version INTEGER NOT NULL PRIMARY KEY,"
              + " applied_at BIGINT NOT NULL)");
      st.execute("INSERT INTO polysync_schema VALUES (1, 0)");
      st.execute(
          "INSERT INTO polysync_namespaces (name, metadata, last_seq, last_ts, doc_count,"
              + " deleted_count, bodies_exact) VALUES (X'6f6c64', '{\"note\":\""
              + metadataValue
              + "\"}', 1, 1, 1, 0, TRUE)");
      st.execute(
          "INSERT INTO polysync_documents SELECT id, X'61', 1, 1, '1-a', FALSE, X'7b7d',"
              + " '{\"text\":\""
              + longText
              + "\"}' FROM polysync_namespaces");
    }
    try (Storage s = Storages.open(config)) {
      assertThat(s.namespaces().get("old").orElseThrow().metadata())
          .containsEntry("note", metadataValue);
      StoredDocument kept = s.documents().get("old", "a").orElseThrow();
      assertThat(kept.seq()).isEqualTo(1);
      List<WriteResult> written =
          s.documents()
              .write(
                  "old",
                  List.of(
                      new WriteItem(
                          "a",
                          "2-b",
                          false,
                          "{\"v\":2}".getBytes(StandardCharsets.UTF_8),
                          1,
                          Optional.empty())));
      assertThat(written.getFirst()).isInstanceOf(WriteResult.Written.class);
    }
    try (Connection c = jdbc(config);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_NULLABLE"
                    + " FROM INFORMATION_SCHEMA.COLUMNS WHERE COLUMN_NAME IN"
                    + " ('QUERY_BODY', 'METADATA') ORDER BY TABLE_NAME")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("POLYSYNC_DOCUMENTS");
      assertThat(rs.getString(3)).isEqualTo("CHARACTER VARYING");
      assertThat(rs.getString(4)).isEqualTo("YES");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("POLYSYNC_NAMESPACES");
      assertThat(rs.getString(3)).isEqualTo("CHARACTER VARYING");
      assertThat(rs.getString(4)).isEqualTo("NO");
    }
    try (Connection c = jdbc(config);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT MAX(version) FROM polysync_schema")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(SqlSchema.LATEST);
    }
  }
}
