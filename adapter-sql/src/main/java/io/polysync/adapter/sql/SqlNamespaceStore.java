package io.polysync.adapter.sql;

import static io.polysync.adapter.sql.SqlTables.BLOBS;
import static io.polysync.adapter.sql.SqlTables.BLOB_NS;
import static io.polysync.adapter.sql.SqlTables.DOCUMENTS;
import static io.polysync.adapter.sql.SqlTables.DOC_NS;
import static io.polysync.adapter.sql.SqlTables.LOCALS;
import static io.polysync.adapter.sql.SqlTables.LOCAL_NS;
import static io.polysync.adapter.sql.SqlTables.NAMESPACES;
import static io.polysync.adapter.sql.SqlTables.NS_BODIES_EXACT;
import static io.polysync.adapter.sql.SqlTables.NS_DELETED_COUNT;
import static io.polysync.adapter.sql.SqlTables.NS_DOC_COUNT;
import static io.polysync.adapter.sql.SqlTables.NS_ID;
import static io.polysync.adapter.sql.SqlTables.NS_LAST_SEQ;
import static io.polysync.adapter.sql.SqlTables.NS_LAST_TS;
import static io.polysync.adapter.sql.SqlTables.NS_METADATA;
import static io.polysync.adapter.sql.SqlTables.NS_NAME;

import io.polysync.adapter.sql.RenderedStatement.Arg;
import io.polysync.spi.Names;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SelectConditionStep;
import org.jooq.SelectField;
import org.jooq.impl.DSL;

/** Namespaces as rows of {@code polysync_namespaces}, counters maintained by the writers. */
final class SqlNamespaceStore implements NamespaceStore {
  static final List<SelectField<?>> INFO =
      List.of(NS_ID, NS_NAME, NS_METADATA, NS_LAST_SEQ, NS_LAST_TS, NS_DOC_COUNT, NS_DELETED_COUNT);

  private final SqlStorage storage;

  SqlNamespaceStore(SqlStorage storage) {
    this.storage = storage;
  }

  static byte[] key(String name) {
    return Names.checkNamespace(name).getBytes(StandardCharsets.UTF_8);
  }

  static NamespaceInfo info(Record r) {
    return new NamespaceInfo(
        new String(r.get(NS_NAME), StandardCharsets.UTF_8),
        SqlJson.readStringMap(r.get(NS_METADATA)),
        r.get(NS_LAST_SEQ),
        r.get(NS_LAST_TS),
        r.get(NS_DOC_COUNT),
        r.get(NS_DELETED_COUNT));
  }

  static SyncException notFound(String name) {
    return new SyncException(StorageError.NAMESPACE_NOT_FOUND, "no such namespace: " + name);
  }

  /** The namespace row id, or a NAMESPACE_NOT_FOUND error. */
  static long requireId(DSLContext ctx, String name) {
    Long id = ctx.select(NS_ID).from(NAMESPACES).where(NS_NAME.eq(key(name))).fetchOne(NS_ID);
    if (id == null) {
      throw notFound(name);
    }
    return id;
  }

  static boolean exists(SqlStorage storage, DSLContext ctx, String name) {
    byte[] key = key(name);
    RenderedStatement exists =
        storage.rendered(
            "namespace exists",
            List.of(Arg.BYTES),
            p -> DSL.selectOne().from(NAMESPACES).where(NS_NAME.eq(RenderedStatement.arg(p, 0))));
    return ctx.connectionResult(c -> exists.first(c, rs -> true, key)).isPresent();
  }

  /** A namespace's row as {@link #INFO} reads it, from a result of plain JDBC. */
  static NamespaceInfo info(ResultSet rs) throws SQLException {
    return new NamespaceInfo(
        new String(rs.getBytes(2), StandardCharsets.UTF_8),
        SqlJson.readStringMap(rs.getString(3)),
        rs.getLong(4),
        rs.getLong(5),
        rs.getLong(6),
        rs.getLong(7));
  }

  @Override
  public NamespaceInfo create(String name, Map<String, String> metadata) {
    byte[] key = key(name);
    Map<String, String> meta = Map.copyOf(Objects.requireNonNull(metadata, "metadata is null"));
    String json = SqlJson.writeStringMap(meta);
    try {
      storage.statement(
          "creating namespace " + name,
          ctx ->
              ctx.insertInto(
                      NAMESPACES,
                      NS_NAME,
                      NS_METADATA,
                      NS_LAST_SEQ,
                      NS_LAST_TS,
                      NS_DOC_COUNT,
                      NS_DELETED_COUNT,
                      NS_BODIES_EXACT)
                  .values(key, json, 0L, 0L, 0L, 0L, true)
                  .execute());
    } catch (SyncException e) {
      if (SqlErrors.isUniqueViolation(e)) {
        throw new SyncException(StorageError.NAMESPACE_EXISTS, "namespace exists: " + name);
      }
      throw e;
    }
    return new NamespaceInfo(name, meta, 0, 0, 0, 0);
  }

  @Override
  public Optional<NamespaceInfo> get(String name) {
    byte[] key = key(name);
    RenderedStatement byName =
        storage.rendered(
            "namespace by name",
            List.of(Arg.BYTES),
            p -> DSL.select(INFO).from(NAMESPACES).where(NS_NAME.eq(RenderedStatement.arg(p, 0))));
    return storage.read(
        "reading namespace " + name,
        ctx -> ctx.connectionResult(c -> byName.first(c, SqlNamespaceStore::info, key)));
  }

  @Override
  public List<NamespaceInfo> list(String afterName, int limit) {
    Objects.requireNonNull(afterName, "afterName is null");
    if (limit <= 0) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
    }
    byte[] after = afterName.getBytes(StandardCharsets.UTF_8);
    return storage.read(
        "listing namespaces",
        ctx ->
            ctx.select(INFO)
                .from(NAMESPACES)
                .where(NS_NAME.gt(after))
                .orderBy(NS_NAME)
                .limit(limit)
                .fetch(SqlNamespaceStore::info));
  }

  @Override
  public NamespaceInfo putMetadata(String name, String key, String value) {
    byte[] nameKey = key(name);
    Objects.requireNonNull(key, "key is null");
    return storage.inTransaction(
        "updating metadata of " + name,
        ctx -> {
          Record r = lockRow(ctx, nameKey).fetchOne();
          if (r == null) {
            throw notFound(name);
          }
          Map<String, String> meta = new LinkedHashMap<>(SqlJson.readStringMap(r.get(NS_METADATA)));
          if (value == null) {
            meta.remove(key);
          } else {
            meta.put(key, value);
          }
          ctx.update(NAMESPACES)
              .set(NS_METADATA, SqlJson.writeStringMap(meta))
              .where(NS_ID.eq(r.get(NS_ID)))
              .execute();
          return new NamespaceInfo(
              name,
              meta,
              r.get(NS_LAST_SEQ),
              r.get(NS_LAST_TS),
              r.get(NS_DOC_COUNT),
              r.get(NS_DELETED_COUNT));
        });
  }

  private org.jooq.ResultQuery<Record> lockRow(DSLContext ctx, byte[] nameKey) {
    SelectConditionStep<Record> select =
        ctx.select(INFO).from(NAMESPACES).where(NS_NAME.eq(nameKey));
    return storage.support.lockRowsForUpdate() ? select.forUpdate() : select;
  }

  @Override
  public void drop(String name) {
    byte[] nameKey = key(name);
    storage.inTransaction(
        "dropping namespace " + name,
        ctx -> {
          Record r = lockRow(ctx, nameKey).fetchOne();
          if (r == null) {
            throw notFound(name);
          }
          long id = r.get(NS_ID);
          ctx.deleteFrom(DOCUMENTS).where(DOC_NS.eq(id)).execute();
          ctx.deleteFrom(LOCALS).where(LOCAL_NS.eq(id)).execute();
          ctx.deleteFrom(BLOBS).where(BLOB_NS.eq(id)).execute();
          ctx.deleteFrom(NAMESPACES).where(NS_ID.eq(id)).execute();
          return null;
        });
  }
}
