package io.polysync.adapter.sql;

import static io.polysync.adapter.sql.SqlTables.LOCALS;
import static io.polysync.adapter.sql.SqlTables.LOCAL_BODY;
import static io.polysync.adapter.sql.SqlTables.LOCAL_ID;
import static io.polysync.adapter.sql.SqlTables.LOCAL_NS;
import static io.polysync.adapter.sql.SqlTables.LOCAL_VERSION;
import static io.polysync.adapter.sql.SqlTables.NAMESPACES;
import static io.polysync.adapter.sql.SqlTables.NS_ID;
import static io.polysync.adapter.sql.SqlTables.NS_NAME;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.val;

import io.polysync.adapter.sql.RenderedStatement.Arg;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.LocalStore;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Local documents: each call is one statement, a compare-and-set on the version column (an insert
 * guarded by the primary key for version 0), since replication checkpoints hit this on every batch.
 */
final class SqlLocalStore implements LocalStore {
  private final SqlStorage storage;

  SqlLocalStore(SqlStorage storage) {
    this.storage = storage;
  }

  @Override
  public Optional<LocalDocument> get(String namespace, String id) {
    byte[] key = Names.checkId(id).getBytes(StandardCharsets.UTF_8);
    byte[] nsKey = SqlNamespaceStore.key(namespace);
    RenderedStatement byId =
        storage.rendered(
            "local document by id",
            List.of(Arg.BYTES, Arg.BYTES),
            p ->
                DSL.select(LOCAL_VERSION, LOCAL_BODY)
                    .from(LOCALS)
                    .where(
                        LOCAL_NS
                            .eq(SqlDocumentStore.namespaceId(RenderedStatement.<byte[]>arg(p, 0)))
                            .and(LOCAL_ID.eq(RenderedStatement.arg(p, 1)))));
    return storage.read(
        "reading a local document",
        ctx -> {
          Optional<LocalDocument> found =
              ctx.connectionResult(
                  c ->
                      byId.first(
                          c,
                          rs -> new LocalDocument(id, rs.getLong(1), rs.getBytes(2)),
                          nsKey,
                          key));
          if (found.isEmpty() && !SqlNamespaceStore.exists(storage, ctx, namespace)) {
            throw SqlNamespaceStore.notFound(namespace);
          }
          return found;
        });
  }

  @Override
  public List<LocalDocument> list(String namespace, String afterId, int limit) {
    if (limit < 1) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
    }
    // Ids are stored as UTF-8 bytes, whose order is the code point order Names.compare defines.
    byte[] after = afterId.getBytes(StandardCharsets.UTF_8);
    Field<Long> ns = SqlDocumentStore.namespaceId(namespace);
    return storage.read(
        "listing local documents",
        ctx -> {
          List<LocalDocument> out =
              ctx.select(LOCAL_ID, LOCAL_VERSION, LOCAL_BODY)
                  .from(LOCALS)
                  .where(LOCAL_NS.eq(ns).and(LOCAL_ID.gt(after)))
                  .orderBy(LOCAL_ID.asc())
                  .limit(limit)
                  .fetch(r -> new LocalDocument(
                      new String(r.value1(), StandardCharsets.UTF_8), r.value2(), r.value3()));
          if (out.isEmpty() && !SqlNamespaceStore.exists(storage, ctx, namespace)) {
            throw SqlNamespaceStore.notFound(namespace);
          }
          return out;
        });
  }

  @Override
  public long put(String namespace, String id, byte[] body, long expectedVersion) {
    byte[] key = Names.checkId(id).getBytes(StandardCharsets.UTF_8);
    Objects.requireNonNull(body, "body is null");
    byte[] nsKey = SqlNamespaceStore.key(namespace);
    if (expectedVersion < 0) {
      throw new SyncException(
          StorageError.INVALID_ARGUMENT,
          "expectedVersion must not be negative: " + expectedVersion);
    }
    long max = storage.capabilities().maxValueBytes();
    if (body.length > max) {
      throw new SyncException(
          StorageError.VALUE_TOO_LARGE,
          "local document "
              + id
              + " is "
              + body.length
              + " bytes, more than the "
              + max
              + " allowed");
    }
    if (expectedVersion == 0) {
      int inserted;
      try {
        inserted =
            storage.statement(
                "writing a local document",
                ctx ->
                    ctx.insertInto(LOCALS, LOCAL_NS, LOCAL_ID, LOCAL_VERSION, LOCAL_BODY)
                        .select(
                            ctx.select(NS_ID, val(key, LOCAL_ID), inline(1L), val(body, LOCAL_BODY))
                                .from(NAMESPACES)
                                .where(NS_NAME.eq(nsKey)))
                        .execute());
      } catch (SyncException e) {
        if (SqlErrors.isUniqueViolation(e)) {
          throw conflict(namespace, id);
        }
        throw e;
      }
      if (inserted == 0) {
        throw SqlNamespaceStore.notFound(namespace);
      }
      return 1;
    }
    RenderedStatement update =
        storage.rendered(
            "local document update",
            List.of(Arg.BYTES, Arg.BYTES, Arg.BYTES, Arg.LONG),
            p ->
                DSL.update(LOCALS)
                    .set(LOCAL_VERSION, LOCAL_VERSION.plus(inline(1L)))
                    .set(LOCAL_BODY, RenderedStatement.<byte[]>arg(p, 2))
                    .where(
                        LOCAL_NS
                            .eq(SqlDocumentStore.namespaceId(RenderedStatement.<byte[]>arg(p, 0)))
                            .and(LOCAL_ID.eq(RenderedStatement.arg(p, 1)))
                            .and(LOCAL_VERSION.eq(RenderedStatement.arg(p, 3)))));
    storage.statement(
        "writing a local document",
        ctx -> {
          int updated =
              ctx.connectionResult(c -> update.update(c, nsKey, key, body, expectedVersion));
          if (updated == 0) {
            throw missingOrConflict(ctx, namespace, id);
          }
          return null;
        });
    return expectedVersion + 1;
  }

  @Override
  public void delete(String namespace, String id, long expectedVersion) {
    byte[] key = Names.checkId(id).getBytes(StandardCharsets.UTF_8);
    Field<Long> ns = SqlDocumentStore.namespaceId(namespace);
    storage.statement(
        "deleting a local document",
        ctx -> {
          int deleted =
              ctx.deleteFrom(LOCALS)
                  .where(
                      LOCAL_NS.eq(ns).and(LOCAL_ID.eq(key)).and(LOCAL_VERSION.eq(expectedVersion)))
                  .execute();
          if (deleted == 0) {
            throw missingOrConflict(ctx, namespace, id);
          }
          return null;
        });
  }

  private SyncException missingOrConflict(
      org.jooq.DSLContext ctx, String namespace, String id) {
    if (!SqlNamespaceStore.exists(storage, ctx, namespace)) {
      return SqlNamespaceStore.notFound(namespace);
    }
    return conflict(namespace, id);
  }

  private static SyncException conflict(String namespace, String id) {
    return new SyncException(
        StorageError.LOCAL_CONFLICT,
        "local document " + id + " in " + namespace + " is not at the expected version");
  }
}
