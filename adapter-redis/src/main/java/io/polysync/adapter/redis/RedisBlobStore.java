package io.polysync.adapter.redis;

import io.polysync.spi.BlobStore;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.util.List;
import java.util.Optional;

/** Blobs: one hash per namespace, key → bytes. Writing a key again writes the same bytes. */
final class RedisBlobStore implements BlobStore {
  private final RedisStorage storage;

  RedisBlobStore(RedisStorage storage) {
    this.storage = storage;
  }

  @Override
  public void put(String namespace, String key, byte[] data) {
    Names.checkBlobKey(key);
    if (data.length > RedisStorage.MAX_VALUE_BYTES) {
      throw new SyncException(
          StorageError.VALUE_TOO_LARGE,
          "blob " + key + " has " + data.length + " bytes; the most is "
              + RedisStorage.MAX_VALUE_BYTES);
    }
    storage.inNamespace(
        "writing a blob", namespace, RedisScripts.BLOB_PUT,
        () -> new byte[][] {RedisKeys.bytes(key), data});
  }

  @Override
  public Optional<byte[]> get(String namespace, String key) {
    Names.checkBlobKey(key);
    List<Object> reply =
        storage.inNamespace(
            "reading a blob", namespace, RedisScripts.BLOB_GET,
            () -> new byte[][] {RedisKeys.bytes(key)});
    return RedisStorage.bytes(reply.get(1));
  }

  @Override
  public boolean delete(String namespace, String key) {
    Names.checkBlobKey(key);
    List<Object> reply =
        storage.inNamespace(
            "deleting a blob", namespace, RedisScripts.BLOB_DELETE,
            () -> new byte[][] {RedisKeys.bytes(key)});
    return RedisStorage.number(reply.get(1)) == 1;
  }
}
