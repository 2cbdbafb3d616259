package io.polysync.adapter.redis;

import io.polysync.spi.LocalDocument;
import io.polysync.spi.LocalStore;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Local documents: one hash per namespace, id → {@code VERSION ":" BODY}; each call is one script,
 * the compare-and-set of a put or delete included.
 */
final class RedisLocalStore implements LocalStore {
  private final RedisStorage storage;

  RedisLocalStore(RedisStorage storage) {
    this.storage = storage;
  }

  @Override
  public Optional<LocalDocument> get(String namespace, String id) {
    Names.checkId(id);
    List<Object> reply =
        storage.inNamespace(
            "reading a local document", namespace, RedisScripts.LOCAL_GET,
            () -> new byte[][] {RedisKeys.bytes(id)});
    return RedisStorage.bytes(reply.get(1)).map(v -> decode(id, v));
  }

  /**
   * A hash has no order, so each page reads the namespace's whole hash and sorts it here: fine for
   * what local documents are (replication checkpoints, a few per client) and for a maintenance call.
   */
  @Override
  public List<LocalDocument> list(String namespace, String afterId, int limit) {
    if (limit < 1) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
    }
    List<Object> reply =
        storage.inNamespace(
            "listing local documents", namespace, RedisScripts.LOCAL_ALL, () -> new byte[0][]);
    List<Object> flat = RedisStorage.list(reply.get(1));
    List<LocalDocument> all = new ArrayList<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      String id = new String((byte[]) flat.get(i), StandardCharsets.UTF_8);
      if (Names.compare(id, afterId) > 0) {
        all.add(decode(id, (byte[]) flat.get(i + 1)));
      }
    }
    all.sort((a, b) -> Names.compare(a.id(), b.id()));
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }

  @Override
  public long put(String namespace, String id, byte[] body, long expectedVersion) {
    Names.checkId(id);
    if (body.length > RedisStorage.MAX_VALUE_BYTES) {
      throw new SyncException(
          StorageError.VALUE_TOO_LARGE,
          "local document " + id + " has " + body.length + " bytes; the most is "
              + RedisStorage.MAX_VALUE_BYTES);
    }
    List<Object> reply =
        storage.inNamespace(
            "writing a local document", namespace, RedisScripts.LOCAL_PUT,
            () ->
                new byte[][] {
                  RedisKeys.bytes(id), RedisKeys.bytes(Long.toString(expectedVersion)), body
                });
    if (RedisStorage.status(reply) == 2) {
      throw conflict(id, expectedVersion, RedisStorage.number(reply.get(1)));
    }
    return RedisStorage.number(reply.get(1));
  }

  @Override
  public void delete(String namespace, String id, long expectedVersion) {
    Names.checkId(id);
    List<Object> reply =
        storage.inNamespace(
            "deleting a local document", namespace, RedisScripts.LOCAL_DELETE,
            () -> new byte[][] {RedisKeys.bytes(id), RedisKeys.bytes(Long.toString(expectedVersion))});
    if (RedisStorage.status(reply) == 2) {
      throw conflict(id, expectedVersion, RedisStorage.number(reply.get(1)));
    }
  }

  private static SyncException conflict(String id, long expected, long current) {
    return new SyncException(
        StorageError.LOCAL_CONFLICT,
        "local document " + id + " is at version " + current + ", not " + expected);
  }

  private static LocalDocument decode(String id, byte[] v) {
    int colon = 0;
    long version = 0;
    while (v[colon] != ':') {
      version = version * 10 + (v[colon] - '0');
      colon++;
    }
    return new LocalDocument(id, version, Arrays.copyOfRange(v, colon + 1, v.length));
  }
}
