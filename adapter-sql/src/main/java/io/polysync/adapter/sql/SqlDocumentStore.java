package io.polysync.adapter.sql;

import static io.polysync.adapter.sql.SqlTables.DOCUMENTS;
import static io.polysync.adapter.sql.SqlTables.DOC_DELETED;
import static io.polysync.adapter.sql.SqlTables.DOC_ID;
import static io.polysync.adapter.sql.SqlTables.DOC_NS;
import static io.polysync.adapter.sql.SqlTables.DOC_REV;
import static io.polysync.adapter.sql.SqlTables.DOC_SEQ;
import static io.polysync.adapter.sql.SqlTables.DOC_STATE;
import static io.polysync.adapter.sql.SqlTables.DOC_TS;
import static io.polysync.adapter.sql.SqlTables.NAMESPACES;
import static io.polysync.adapter.sql.SqlTables.NS_BODIES_EXACT;
import static io.polysync.adapter.sql.SqlTables.NS_DELETED_COUNT;
import static io.polysync.adapter.sql.SqlTables.NS_DOC_COUNT;
import static io.polysync.adapter.sql.SqlTables.NS_ID;
import static io.polysync.adapter.sql.SqlTables.NS_LAST_SEQ;
import static io.polysync.adapter.sql.SqlTables.NS_LAST_TS;
import static io.polysync.adapter.sql.SqlTables.NS_NAME;

import io.polysync.adapter.sql.RenderedStatement.Arg;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.JsonValue;
import io.polysync.spi.KeyRange;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SelectField;
import org.jooq.impl.DSL;

/**
 * Documents, one row each. A write batch is one transaction that first locks its namespace row (on
 * SQLite the transaction already holds the database write lock), so sequence allocation and commit
 * happen under one lock per namespace: a sequence number never becomes visible after a higher one.
 * Every batch costs a fixed number of round trips however many items it has: the row lock, one read
 * of the current sequences, one JDBC batch of inserts and one of overwrites (a batched {@code
 * UPDATE} or, where the driver sends that row by row, an upsert), and the counter update.
 */
final class SqlDocumentStore implements DocumentStore {
  /** Rows per multi-row statement; keeps bind counts well under every backend's limit. */
  private static final int ROWS_PER_STATEMENT = 500;

  /** Bytes of state per multi-row statement; keeps statements under MariaDB's packet limit. */
  private static final long BYTES_PER_STATEMENT = 4L << 20;

  static final List<Field<?>> COLUMN_FIELDS =
      List.of(DOC_ID, DOC_SEQ, DOC_TS, DOC_REV, DOC_DELETED, DOC_STATE);

  static final List<SelectField<?>> COLUMNS = List.copyOf(COLUMN_FIELDS);

  private final SqlStorage storage;

  SqlDocumentStore(SqlStorage storage) {
    this.storage = storage;
  }

  static byte[] idKey(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }

  static StoredDocument document(Record r) {
    return new StoredDocument(
        new String(r.get(DOC_ID), StandardCharsets.UTF_8),
        r.get(DOC_SEQ),
        r.get(DOC_TS),
        r.get(DOC_REV),
        r.get(DOC_DELETED),
        r.get(DOC_STATE));
  }

  /** The document of the current row of a result of {@link #COLUMNS}, read with plain JDBC. */
  static StoredDocument document(ResultSet rs) throws SQLException {
    return new StoredDocument(
        new String(rs.getBytes(1), StandardCharsets.UTF_8),
        rs.getLong(2),
        rs.getLong(3),
        rs.getString(4),
        rs.getBoolean(5),
        rs.getBytes(6));
  }

  /** The namespace's row id as a scalar subquery, so a read is one statement. */
  static Field<Long> namespaceId(String namespace) {
    return namespaceId(DSL.val(SqlNamespaceStore.key(namespace), NS_NAME));
  }

  /** The row id of the namespace whose name key is {@code nameKey}, as a scalar subquery. */
  static Field<Long> namespaceId(Field<byte[]> nameKey) {
    return DSL.field(DSL.select(NS_ID).from(NAMESPACES).where(NS_NAME.eq(nameKey)));
  }

  /** One document by namespace name key and id key. */
  private RenderedStatement byId() {
    return storage.rendered(
        "document by id",
        List.of(Arg.BYTES, Arg.BYTES),
        p ->
            DSL.select(COLUMNS)
                .from(DOCUMENTS)
                .where(
                    DOC_NS
                        .eq(namespaceId(RenderedStatement.<byte[]>arg(p, 0)))
                        .and(DOC_ID.eq(RenderedStatement.arg(p, 1)))));
  }

  /**
   * The changes of a namespace after a sequence, in either order, optionally before another: the
   * statement behind every changes feed and longpoll.
   */
  private RenderedStatement changesSince(boolean descending, boolean until) {
    String name = "changes " + (descending ? "descending" : "ascending") + (until ? " until" : "");
    List<Arg> args =
        until
            ? List.of(Arg.BYTES, Arg.LONG, Arg.INT, Arg.LONG)
            : List.of(Arg.BYTES, Arg.LONG, Arg.INT);
    return storage.rendered(
        name,
        args,
        p -> {
          Condition where =
              DOC_NS
                  .eq(namespaceId(RenderedStatement.<byte[]>arg(p, 0)))
                  .and(DOC_SEQ.gt(RenderedStatement.<Long>arg(p, 1)));
          if (until) {
            where = where.and(DOC_SEQ.lt(RenderedStatement.<Long>arg(p, 3)));
          }
          return DSL.select(COLUMNS)
              .from(DOCUMENTS)
              .where(where)
              .orderBy(descending ? DOC_SEQ.desc() : DOC_SEQ.asc())
              .limit(RenderedStatement.<Integer>arg(p, 2));
        });
  }

  @Override
  public Optional<StoredDocument> get(String namespace, String id) {
    byte[] key = idKey(Names.checkId(id));
    byte[] nsKey = SqlNamespaceStore.key(namespace);
    RenderedStatement byId = byId();
    return storage.read(
        "reading a document",
        ctx -> {
          Optional<StoredDocument> found =
              ctx.connectionResult(c -> byId.first(c, SqlDocumentStore::document, nsKey, key));
          if (found.isEmpty()) {
            requireNamespace(ctx, namespace);
          }
          return found;
        });
  }

  @Override
  public List<StoredDocument> getAll(String namespace, List<String> ids) {
    if (ids.size() == 1) {
      // What a live replication asks for: one changed document.
      return get(namespace, ids.get(0)).map(List::of).orElse(List.of());
    }
    List<byte[]> keys = ids.stream().map(Names::checkId).map(SqlDocumentStore::idKey).toList();
    Field<Long> ns = namespaceId(namespace);
    return storage.read(
        "reading documents",
        ctx -> {
          Map<String, StoredDocument> byId = new HashMap<>();
          for (int from = 0; from < keys.size(); from += ROWS_PER_STATEMENT) {
            List<byte[]> chunk =
                keys.subList(from, Math.min(keys.size(), from + ROWS_PER_STATEMENT));
            for (Record r : storage.support.documentsById(ctx, ns, chunk).fetch()) {
              StoredDocument d = document(r);
              byId.put(d.id(), d);
            }
          }
          if (byId.isEmpty()) {
            requireNamespace(ctx, namespace);
          }
          List<StoredDocument> out = new ArrayList<>();
          for (String id : ids) {
            StoredDocument d = byId.get(id);
            if (d != null) {
              out.add(d);
            }
          }
          return out;
        });
  }

  @Override
  public List<StoredDocument> range(String namespace, KeyRange range) {
    Field<Long> ns = namespaceId(namespace);
    Condition where = DOC_NS.eq(ns);
    if (range.start().isPresent()) {
      byte[] start = idKey(range.start().get());
      where = where.and(range.descending() ? DOC_ID.le(start) : DOC_ID.ge(start));
    }
    if (range.end().isPresent()) {
      byte[] end = idKey(range.end().get());
      if (range.descending()) {
        where = where.and(range.inclusiveEnd() ? DOC_ID.ge(end) : DOC_ID.gt(end));
      } else {
        where = where.and(range.inclusiveEnd() ? DOC_ID.le(end) : DOC_ID.lt(end));
      }
    }
    if (!range.includeDeleted()) {
      where = where.and(DOC_DELETED.isFalse());
    }
    Condition condition = where;
    return storage.read(
        "listing documents",
        ctx -> {
          List<StoredDocument> out =
              ctx.select(COLUMNS)
                  .from(DOCUMENTS)
                  .where(condition)
                  .orderBy(range.descending() ? DOC_ID.desc() : DOC_ID.asc())
                  .limit(range.limit())
                  .fetch(SqlDocumentStore::document);
          if (out.isEmpty()) {
            requireNamespace(ctx, namespace);
          }
          return out;
        });
  }

  @Override
  public List<StoredDocument> changes(String namespace, ChangesRange range) {
    byte[] nsKey = SqlNamespaceStore.key(namespace);
    boolean until = range.until() != Long.MAX_VALUE;
    RenderedStatement changes = changesSince(range.descending(), until);
    Object[] args =
        until
            ? new Object[] {nsKey, range.since(), range.limit(), range.until()}
            : new Object[] {nsKey, range.since(), range.limit()};
    return storage.read(
        "reading changes",
        ctx -> {
          List<StoredDocument> out =
              ctx.connectionResult(c -> changes.list(c, SqlDocumentStore::document, args));
          if (out.isEmpty()) {
            requireNamespace(ctx, namespace);
          }
          return out;
        });
  }

  private void requireNamespace(DSLContext ctx, String namespace) {
    if (!SqlNamespaceStore.exists(storage, ctx, namespace)) {
      throw SqlNamespaceStore.notFound(namespace);
    }
  }

  /** One item as prepared before the transaction, so a rerun repeats no work. */
  private record Prepared(
      WriteItem item, byte[] key, String body, boolean bodyExact, WriteResult rejected) {}

  /** What is stored for an id when the batch starts. */
  private record Current(long seq, boolean deleted) {}

  @Override
  public List<WriteResult> write(String namespace, List<WriteItem> items) {
    byte[] nsKey = SqlNamespaceStore.key(namespace);
    if (items.isEmpty()) {
      throw new SyncException(StorageError.INVALID_BATCH, "the batch is empty");
    }
    long maxBatch = storage.capabilities().maxBatchSize();
    if (items.size() > maxBatch) {
      throw new SyncException(
          StorageError.INVALID_BATCH,
          "the batch has " + items.size() + " items, more than the " + maxBatch + " allowed");
    }
    Set<String> seen = new HashSet<>();
    long maxBytes = storage.capabilities().maxValueBytes();
    List<Prepared> prepared = new ArrayList<>(items.size());
    for (WriteItem item : items) {
      if (!seen.add(item.id())) {
        throw new SyncException(
            StorageError.INVALID_BATCH, "the batch names document " + item.id() + " twice");
      }
      if (item.state().length > maxBytes) {
        prepared.add(
            new Prepared(
                item,
                null,
                null,
                true,
                new WriteResult.Rejected(
                    item.id(),
                    new SyncException(
                        StorageError.VALUE_TOO_LARGE,
                        "document "
                            + item.id()
                            + " is "
                            + item.state().length
                            + " bytes, more than the "
                            + maxBytes
                            + " allowed"))));
        continue;
      }
      // Queries see a deleted document with an empty body, whatever the item carries.
      Optional<JsonValue.JsonObject> queryBody =
          item.deleted() ? Optional.empty() : item.queryBody();
      String body = queryBody.map(JsonValue.JsonObject::toJson).orElse(null);
      boolean exact = queryBody.map(SqlJson::storesExactly).orElse(true);
      // A body the backend's JSON type would reject or alter is not stored; the namespace then
      // stops pushing body queries down (see SqlQueryStore), so no answer is ever inexact.
      prepared.add(new Prepared(item, idKey(item.id()), exact ? body : null, exact, null));
    }
    List<WriteResult> results =
        storage.inTransaction(
            "writing to " + namespace, ctx -> apply(ctx, namespace, nsKey, prepared));
    long last = 0;
    for (WriteResult r : results) {
      if (r instanceof WriteResult.Written w) {
        last = w.seq();
      }
    }
    if (last > 0) {
      storage.signals.signal(namespace, last);
    }
    return results;
  }

  private List<WriteResult> apply(
      DSLContext ctx, String namespace, byte[] nsKey, List<Prepared> prepared) {
    boolean forUpdate = storage.support.lockRowsForUpdate();
    RenderedStatement nsRow =
        storage.rendered(
            "namespace row of a write",
            List.of(Arg.BYTES),
            p -> {
              var select =
                  DSL.select(
                          NS_ID,
                          NS_LAST_SEQ,
                          NS_LAST_TS,
                          NS_DOC_COUNT,
                          NS_DELETED_COUNT,
                          NS_BODIES_EXACT)
                      .from(NAMESPACES)
                      .where(NS_NAME.eq(RenderedStatement.<byte[]>arg(p, 0)));
              return forUpdate ? select.forUpdate() : select;
            });
    long[] ns =
        ctx.connectionResult(
                c ->
                    nsRow.first(
                        c,
                        rs ->
                            new long[] {
                              rs.getLong(1),
                              rs.getLong(2),
                              rs.getLong(3),
                              rs.getLong(4),
                              rs.getLong(5),
                              rs.getBoolean(6) ? 1 : 0
                            },
                        nsKey))
            .orElseThrow(() -> SqlNamespaceStore.notFound(namespace));
    long nsId = ns[0];
    long lastSeq = ns[1];
    long lastTs = ns[2];
    long docCount = ns[3];
    long deletedCount = ns[4];
    boolean bodiesExact = ns[5] == 1;

    Map<String, Current> current = new HashMap<>();
    List<byte[]> keys = new ArrayList<>();
    for (Prepared p : prepared) {
      if (p.rejected() == null) {
        keys.add(p.key());
      }
    }
    // Every stored document has 0 < seq <= last_seq, so a namespace at 0 holds none: the first
    // batch of an initial replication skips the read.
    if (lastSeq > 0) {
      ctx.connection(c -> readCurrent(c, nsId, keys, current));
    }

    long now = System.currentTimeMillis();
    List<WriteResult> results = new ArrayList<>(prepared.size());
    List<Prepared> inserts = new ArrayList<>();
    List<Prepared> updates = new ArrayList<>();
    List<long[]> insertStamps = new ArrayList<>();
    List<long[]> updateStamps = new ArrayList<>();
    for (Prepared p : prepared) {
      if (p.rejected() != null) {
        results.add(p.rejected());
        continue;
      }
      WriteItem item = p.item();
      Current cur = current.get(item.id());
      long curSeq = cur == null ? 0 : cur.seq();
      if (curSeq != item.expectedSeq()) {
        results.add(new WriteResult.Conflict(item.id(), curSeq));
        continue;
      }
      long seq = ++lastSeq;
      lastTs = Math.max(lastTs + 1, now);
      if (cur == null) {
        inserts.add(p);
        insertStamps.add(new long[] {seq, lastTs});
      } else {
        updates.add(p);
        updateStamps.add(new long[] {seq, lastTs});
        if (cur.deleted()) {
          deletedCount--;
        } else {
          docCount--;
        }
      }
      if (item.deleted()) {
        deletedCount++;
      } else {
        docCount++;
      }
      bodiesExact &= p.bodyExact();
      results.add(new WriteResult.Written(item.id(), seq, lastTs));
    }
    if (inserts.isEmpty() && updates.isEmpty()) {
      return results;
    }
    ctx.connection(
        c -> {
          insertRows(c, nsId, inserts, insertStamps);
          updateRows(c, nsId, updates, updateStamps);
        });
    RenderedStatement counters =
        storage.rendered(
            "namespace counters of a write",
            List.of(Arg.LONG, Arg.LONG, Arg.LONG, Arg.LONG, Arg.LONG, Arg.BOOLEAN),
            p ->
                DSL.update(NAMESPACES)
                    .set(NS_LAST_SEQ, RenderedStatement.<Long>arg(p, 1))
                    .set(NS_LAST_TS, RenderedStatement.<Long>arg(p, 2))
                    .set(NS_DOC_COUNT, RenderedStatement.<Long>arg(p, 3))
                    .set(NS_DELETED_COUNT, RenderedStatement.<Long>arg(p, 4))
                    .set(NS_BODIES_EXACT, RenderedStatement.<Boolean>arg(p, 5))
                    .where(NS_ID.eq(RenderedStatement.<Long>arg(p, 0))));
    long seqAfter = lastSeq;
    long tsAfter = lastTs;
    long docsAfter = docCount;
    long deletedAfter = deletedCount;
    boolean exact = bodiesExact;
    ctx.connection(c -> counters.update(c, nsId, seqAfter, tsAfter, docsAfter, deletedAfter, exact));
    if (storage.support.nativeSignals()) {
      ctx.fetch(
          "SELECT pg_notify(?, ?)",
          PostgresSupport.CHANNEL,
          PostgresNotifier.payload(namespace, lastSeq));
    }
    return results;
  }

  /*
   * The per-batch statements below are plain JDBC on the transaction's connection: rendering a
   * thousand-row statement through jOOQ costs several times the database work it stands for, and
   * these are the statements the write benchmark measures. Everything else goes through jOOQ.
   */

  private void readCurrent(Connection c, long nsId, List<byte[]> keys, Map<String, Current> current)
      throws SQLException {
    for (int from = 0; from < keys.size(); from += ROWS_PER_STATEMENT) {
      List<byte[]> chunk = keys.subList(from, Math.min(keys.size(), from + ROWS_PER_STATEMENT));
      try (PreparedStatement ps =
          c.prepareStatement(storage.support.currentSequencesSql(chunk.size()))) {
        storage.support.bindCurrentSequences(ps, nsId, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            current.put(
                new String(rs.getBytes(1), StandardCharsets.UTF_8),
                new Current(rs.getLong(2), rs.getBoolean(3)));
          }
        }
      }
    }
  }

  private static final String INSERT_COLUMNS =
      "ns_id, doc_id, seq, ts, winning_rev, deleted, state, query_body";

  private String insertValues() {
    return "?, ?, ?, ?, ?, ?, ?, " + storage.support.jsonParameter();
  }

  private void insertRows(Connection c, long nsId, List<Prepared> rows, List<long[]> stamps)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    String sql =
        "INSERT INTO polysync_documents (" + INSERT_COLUMNS + ") VALUES (" + insertValues() + ")";
    writeRows(c, sql, nsId, rows, stamps, true);
  }

  private void updateRows(Connection c, long nsId, List<Prepared> rows, List<long[]> stamps)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    String overwrite = storage.support.overwriteSql(INSERT_COLUMNS, insertValues());
    if (overwrite != null) {
      writeRows(c, overwrite, nsId, rows, stamps, true);
      return;
    }
    String sql =
        "UPDATE polysync_documents SET seq = ?, ts = ?, winning_rev = ?, deleted = ?, state = ?,"
            + " query_body = "
            + storage.support.jsonParameter()
            + " WHERE ns_id = ? AND doc_id = ?";
    writeRows(c, sql, nsId, rows, stamps, false);
  }

  /**
   * Runs {@code sql} as JDBC batches, one row of parameters per item: in the insert's column order
   * when {@code insertOrder}, else the {@code UPDATE}'s (the key last).
   */
  private static void writeRows(
      Connection c,
      String sql,
      long nsId,
      List<Prepared> rows,
      List<long[]> stamps,
      boolean insertOrder)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      long bytes = 0;
      int pending = 0;
      for (int i = 0; i < rows.size(); i++) {
        Prepared p = rows.get(i);
        int at = 1;
        if (insertOrder) {
          ps.setLong(at++, nsId);
          ps.setBytes(at++, p.key());
        }
        ps.setLong(at++, stamps.get(i)[0]);
        ps.setLong(at++, stamps.get(i)[1]);
        ps.setString(at++, p.item().winningRev());
        ps.setBoolean(at++, p.item().deleted());
        ps.setBytes(at++, p.item().state());
        ps.setString(at++, p.body());
        if (!insertOrder) {
          ps.setLong(at++, nsId);
          ps.setBytes(at, p.key());
        }
        ps.addBatch();
        bytes += p.item().state().length;
        if (++pending >= ROWS_PER_STATEMENT || bytes >= BYTES_PER_STATEMENT) {
          ps.executeBatch();
          pending = 0;
          bytes = 0;
        }
      }
      if (pending > 0) {
        ps.executeBatch();
      }
    }
  }
}
