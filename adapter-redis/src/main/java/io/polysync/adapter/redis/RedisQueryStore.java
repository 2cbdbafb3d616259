package io.polysync.adapter.redis;

import io.polysync.spi.Query;
import io.polysync.spi.QueryStore;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import java.util.List;
import java.util.Optional;

/**
 * No push-down: Redis has no index over the engine's opaque states, and keeping secondary indexes
 * of query bodies in sorted sets would cost memory on every write for queries the engine answers
 * exactly from {@link io.polysync.spi.DocumentStore#range} scans. {@code QUERY_PUSHDOWN} is not
 * declared, so every call throws the typed "unsupported" error.
 */
final class RedisQueryStore implements QueryStore {
  private final RedisStorage storage;

  RedisQueryStore(RedisStorage storage) {
    this.storage = storage;
  }

  @Override
  public Optional<List<StoredDocument>> query(String namespace, Query query) {
    storage.ensureOpen();
    throw new SyncException(
        StorageError.UNSUPPORTED_CAPABILITY,
        "the Redis adapter does not push queries down; the engine evaluates them");
  }
}
