package io.polysync.adapter.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jooq.conf.ParamType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL looks documents up by id through the primary key even when its statistics are stale:
 * they were taken while a namespace was small (or did not exist), and it has grown since. That is
 * every namespace being filled between two analyzes, and all of them on a server whose autovacuum is
 * off. The plain {@code ns_id = ? AND doc_id = ANY(?)} was planned there as a scan of the whole
 * namespace with a filter, which made each write batch's lookup grow with the namespace.
 */
final class PostgresPlanIT {
  private static final int BIG = 3_000;

  private static String database;
  private static SqlStorage storage;
  private static long bigNs;

  @BeforeAll
  static void staleStatistics() throws SQLException {
    database = ScratchDatabase.POSTGRESQL.create();
    storage = new SqlStorage(SqlDialectSupport.forConfig(ScratchDatabase.POSTGRESQL.config(database)));
    try (Connection c = ScratchDatabase.POSTGRESQL.connect(database);
        Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO polysync_namespaces (name, metadata, last_seq, last_ts, doc_count,"
              + " deleted_count, bodies_exact) VALUES ('\\x736d616c6c', '{}', 3, 0, 3, 0, TRUE),"
              + " ('\\x626967', '{}', " + BIG + ", 0, " + BIG + ", 0, TRUE)");
      st.execute(documents("small", 3));
      st.execute("ANALYZE polysync_namespaces");
      st.execute("ANALYZE polysync_documents");
      // The big namespace grows after the last analyze.
      st.execute(documents("big", BIG));
      try (ResultSet rs = st.executeQuery("SELECT id FROM polysync_namespaces WHERE name = '\\x626967'")) {
        rs.next();
        bigNs = rs.getLong(1);
      }
    }
  }

  private static String documents(String namespace, int count) {
    return "INSERT INTO polysync_documents (ns_id, doc_id, seq, ts, winning_rev, deleted, state)"
        + " SELECT n.id, convert_to('doc-' || g, 'UTF8'), g, g, '1-a', FALSE, '\\x00'"
        + " FROM generate_series(1, " + count + ") AS g, polysync_namespaces AS n"
        + " WHERE n.name = convert_to('" + namespace + "', 'UTF8')";
  }

  @AfterAll
  static void drop() throws SQLException {
    if (storage != null) {
      storage.close();
    }
    ScratchDatabase.POSTGRESQL.drop(database);
  }

  private static List<byte[]> ids(int... numbers) {
    List<byte[]> ids = new ArrayList<>();
    for (int n : numbers) {
      ids.add(("doc-" + n).getBytes(StandardCharsets.UTF_8));
    }
    ids.add("absent".getBytes(StandardCharsets.UTF_8));
    return ids;
  }

  private static String plan(PreparedStatement ps) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }

  /** Every read of the documents table is an index scan on the primary key, with no filter. */
  private static void assertLooksUpByKey(String plan) {
    assertThat(plan)
        .contains("Index Scan using polysync_documents_pkey on polysync_documents")
        .doesNotContain("polysync_documents_seq")
        .doesNotContain("Seq Scan on polysync_documents")
        .doesNotContain("Heap Scan on polysync_documents")
        .doesNotContain("Filter: (doc_id");
  }

  @Test
  void writeBatchLookup_staleStatistics_usesThePrimaryKey() throws SQLException {
    List<byte[]> ids = ids(7, 1500, 2999);
    String sql = storage.support.currentSequencesSql(ids.size());
    try (Connection c = ScratchDatabase.POSTGRESQL.connect(database)) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        storage.support.bindCurrentSequences(ps, bigNs, ids);
        List<String> found = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.add(new String(rs.getBytes(1), StandardCharsets.UTF_8) + "@" + rs.getLong(2));
          }
        }
        assertThat(found).containsExactlyInAnyOrder("doc-7@7", "doc-1500@1500", "doc-2999@2999");
      }
      try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF) " + sql)) {
        storage.support.bindCurrentSequences(ps, bigNs, ids);
        String plan = plan(ps);
        assertLooksUpByKey(plan);
      }
    }
  }

  @Test
  void getAll_staleStatistics_usesThePrimaryKey() throws SQLException {
    var query =
        storage.support.documentsById(
            storage.dsl, SqlDocumentStore.namespaceId("big"), ids(3, 2000));
    assertThat(query.fetch().map(SqlDocumentStore::document))
        .extracting(d -> d.id() + "@" + d.seq())
        .containsExactlyInAnyOrder("doc-3@3", "doc-2000@2000");
    try (Connection c = ScratchDatabase.POSTGRESQL.connect(database);
        PreparedStatement ps =
            c.prepareStatement(
                "EXPLAIN (ANALYZE, COSTS OFF) " + query.getSQL(ParamType.INLINED))) {
      String plan = plan(ps);
      assertLooksUpByKey(plan);
    }
  }
}
