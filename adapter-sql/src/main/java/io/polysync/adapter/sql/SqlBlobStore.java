package io.polysync.adapter.sql;

import static io.polysync.adapter.sql.SqlTables.BLOBS;
import static io.polysync.adapter.sql.SqlTables.BLOB_DATA;
import static io.polysync.adapter.sql.SqlTables.BLOB_KEY;
import static io.polysync.adapter.sql.SqlTables.BLOB_NS;
import static io.polysync.adapter.sql.SqlTables.NAMESPACES;
import static io.polysync.adapter.sql.SqlTables.NS_ID;
import static io.polysync.adapter.sql.SqlTables.NS_NAME;
import static org.jooq.impl.DSL.val;

import io.polysync.spi.BlobStore;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.jooq.Field;

/**
 * Content-addressed blobs. A put is a plain insert whose duplicate-key failure is the idempotent
 * no-op: the key is a digest of the content, so the stored bytes are already the same.
 */
final class SqlBlobStore implements BlobStore {
  private final SqlStorage storage;

  SqlBlobStore(SqlStorage storage) {
    this.storage = storage;
  }

  @Override
  public void put(String namespace, String key, byte[] data) {
    byte[] blobKey = Names.checkBlobKey(key).getBytes(StandardCharsets.UTF_8);
    Objects.requireNonNull(data, "data is null");
    byte[] nsKey = SqlNamespaceStore.key(namespace);
    long max = storage.capabilities().maxValueBytes();
    if (data.length > max) {
      throw new SyncException(
          StorageError.VALUE_TOO_LARGE,
          "blob " + key + " is " + data.length + " bytes, more than the " + max + " allowed");
    }
    int inserted;
    try {
      inserted =
          storage.statement(
              "storing a blob",
              ctx ->
                  ctx.insertInto(BLOBS, BLOB_NS, BLOB_KEY, BLOB_DATA)
                      .select(
                          ctx.select(NS_ID, val(blobKey, BLOB_KEY), val(data, BLOB_DATA))
                              .from(NAMESPACES)
                              .where(NS_NAME.eq(nsKey)))
                      .execute());
    } catch (SyncException e) {
      if (SqlErrors.isUniqueViolation(e)) {
        return;
      }
      throw e;
    }
    if (inserted == 0) {
      throw SqlNamespaceStore.notFound(namespace);
    }
  }

  @Override
  public Optional<byte[]> get(String namespace, String key) {
    byte[] blobKey = Names.checkBlobKey(key).getBytes(StandardCharsets.UTF_8);
    Field<Long> ns = SqlDocumentStore.namespaceId(namespace);
    return storage.read(
        "reading a blob",
        ctx -> {
          Optional<byte[]> found =
              ctx.select(BLOB_DATA)
                  .from(BLOBS)
                  .where(BLOB_NS.eq(ns).and(BLOB_KEY.eq(blobKey)))
                  .fetchOptional(BLOB_DATA);
          if (found.isEmpty() && !SqlNamespaceStore.exists(storage, ctx, namespace)) {
            throw SqlNamespaceStore.notFound(namespace);
          }
          return found;
        });
  }

  @Override
  public boolean delete(String namespace, String key) {
    byte[] blobKey = Names.checkBlobKey(key).getBytes(StandardCharsets.UTF_8);
    Field<Long> ns = SqlDocumentStore.namespaceId(namespace);
    return storage.statement(
        "deleting a blob",
        ctx -> {
          int deleted =
              ctx.deleteFrom(BLOBS).where(BLOB_NS.eq(ns).and(BLOB_KEY.eq(blobKey))).execute();
          if (deleted == 0 && !SqlNamespaceStore.exists(storage, ctx, namespace)) {
            throw SqlNamespaceStore.notFound(namespace);
          }
          return deleted > 0;
        });
  }
}
