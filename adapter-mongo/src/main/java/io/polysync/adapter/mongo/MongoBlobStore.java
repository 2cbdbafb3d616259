package io.polysync.adapter.mongo;

import com.mongodb.client.model.Filters;
import io.polysync.spi.BlobStore;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.util.Optional;
import org.bson.Document;

/**
 * Blobs in {@code polysync_blobs}: {@code {ns, k, key, v|c}}; those above {@link
 * MongoValues#INLINE_MAX} in chunks, written before the blob document that references them, so a
 * blob is visible whole or not at all. Content-addressed: a second put of a key changes nothing.
 */
final class MongoBlobStore implements BlobStore {
  private final MongoStorage storage;

  MongoBlobStore(MongoStorage storage) {
    this.storage = storage;
  }

  @Override
  public void put(String namespace, String key, byte[] data) {
    String k = MongoKeys.hex(Names.checkBlobKey(key));
    if (data.length > MongoStorage.MAX_VALUE_BYTES) {
      throw new SyncException(
          StorageError.VALUE_TOO_LARGE,
          "blob " + key + " is " + data.length + " bytes, more than the "
              + MongoStorage.MAX_VALUE_BYTES + " allowed");
    }
    storage.run(
        "storing blob",
        () -> {
          String uid = storage.namespaces.require(namespace).uid();
          Document filter = new Document("ns", uid).append("k", k);
          if (storage.blobCollection.find(filter).projection(new Document("_id", 1)).first() != null) {
            return;
          }
          Document value = storage.values.write(uid, data);
          Document doc = new Document("ns", uid).append("k", k).append("key", key);
          doc.putAll(value);
          try {
            storage.blobCollection.insertOne(doc);
          } catch (RuntimeException e) {
            storage.values.discard(value);
            if (!MongoErrors.isDuplicateKey(e)) {
              throw e;
            }
          }
        });
  }

  @Override
  public Optional<byte[]> get(String namespace, String key) {
    String k = MongoKeys.hex(Names.checkBlobKey(key));
    return storage.documents.read(
        "reading blob",
        () -> {
          String uid = storage.namespaces.require(namespace).uid();
          Document d =
              storage.blobCollection.find(new Document("ns", uid).append("k", k)).first();
          return d == null ? Optional.empty() : Optional.of(storage.values.read(d));
        });
  }

  @Override
  public boolean delete(String namespace, String key) {
    String k = MongoKeys.hex(Names.checkBlobKey(key));
    return storage.call(
        "deleting blob",
        () -> {
          String uid = storage.namespaces.require(namespace).uid();
          Document old =
              storage.blobCollection.findOneAndDelete(new Document("ns", uid).append("k", k));
          if (old == null) {
            return false;
          }
          storage.values.discard(old);
          return true;
        });
  }
}
