package io.polysync.adapter.mongo;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.LocalStore;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.Document;

/**
 * Local documents in {@code polysync_locals}: {@code {ns, k, i, ver, v|c}}, one conditional
 * single-document write per call, outside the lease and the sequence.
 */
final class MongoLocalStore implements LocalStore {
  private final MongoStorage storage;

  MongoLocalStore(MongoStorage storage) {
    this.storage = storage;
  }

  @Override
  public Optional<LocalDocument> get(String namespace, String id) {
    String key = MongoKeys.hex(Names.checkId(id));
    return storage.documents.read(
        "reading local document",
        () -> {
          String uid = storage.namespaces.require(namespace).uid();
          Document d =
              storage.localCollection
                  .find(new Document("ns", uid).append("k", key))
                  .first();
          if (d == null) {
            return Optional.empty();
          }
          return Optional.of(
              new LocalDocument(d.getString("i"), MongoNamespaceStore.num(d, "ver"), storage.values.read(d)));
        });
  }

  /** The key {@code k} is the id's UTF-8 bytes in hex, so its string order is the ids' code point order. */
  @Override
  public List<LocalDocument> list(String namespace, String afterId, int limit) {
    if (limit < 1) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
    }
    String after = MongoKeys.hex(afterId);
    return storage.documents.read(
        "listing local documents",
        () -> {
          String uid = storage.namespaces.require(namespace).uid();
          List<LocalDocument> out = new ArrayList<>();
          for (Document d : storage.localCollection
              .find(Filters.and(Filters.eq("ns", uid), Filters.gt("k", after)))
              .sort(new Document("k", 1))
              .limit(limit)) {
            out.add(new LocalDocument(d.getString("i"), MongoNamespaceStore.num(d, "ver"), storage.values.read(d)));
          }
          return out;
        });
  }

  @Override
  public long put(String namespace, String id, byte[] body, long expectedVersion) {
    String key = MongoKeys.hex(Names.checkId(id));
    if (body.length > MongoStorage.MAX_VALUE_BYTES) {
      throw new SyncException(
          StorageError.VALUE_TOO_LARGE,
          "local document " + id + " is " + body.length + " bytes, more than the "
              + MongoStorage.MAX_VALUE_BYTES + " allowed");
    }
    if (expectedVersion < 0) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "expectedVersion is negative");
    }
    return storage.call(
        "writing local document",
        () -> {
          String uid = storage.namespaces.require(namespace).uid();
          Document value = storage.values.write(uid, body);
          try {
            long version = expectedVersion + 1;
            if (expectedVersion == 0) {
              Document doc =
                  new Document("ns", uid).append("k", key).append("i", id).append("ver", 1L);
              doc.putAll(value);
              try {
                storage.localCollection.insertOne(doc);
              } catch (RuntimeException e) {
                if (MongoErrors.isDuplicateKey(e)) {
                  throw conflict(id);
                }
                throw e;
              }
              value = null;
              return version;
            }
            Document set = new Document("ver", version);
            set.putAll(value);
            String other = value.containsKey(MongoValues.INLINE) ? MongoValues.CHUNKED : MongoValues.INLINE;
            Document old =
                storage.localCollection.findOneAndUpdate(
                    Filters.and(Filters.eq("ns", uid), Filters.eq("k", key), Filters.eq("ver", expectedVersion)),
                    new Document("$set", set).append("$unset", new Document(other, "")),
                    new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE));
            if (old == null) {
              throw conflict(id);
            }
            value = null;
            storage.values.discard(old);
            return version;
          } finally {
            if (value != null) {
              storage.values.discard(value);
            }
          }
        });
  }

  @Override
  public void delete(String namespace, String id, long expectedVersion) {
    String key = MongoKeys.hex(Names.checkId(id));
    storage.run(
        "deleting local document",
        () -> {
          String uid = storage.namespaces.require(namespace).uid();
          Document old =
              storage.localCollection.findOneAndDelete(
                  Filters.and(Filters.eq("ns", uid), Filters.eq("k", key), Filters.eq("ver", expectedVersion)));
          if (old == null) {
            throw conflict(id);
          }
          storage.values.discard(old);
        });
  }

  private static SyncException conflict(String id) {
    return new SyncException(
        StorageError.LOCAL_CONFLICT, "local document " + id + " is not at the expected version");
  }
}
