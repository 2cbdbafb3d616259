package io.polysync.adapter.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Namespaces: a registry hash (name → id), a sorted set of names for listing in byte order (which
 * is code point order), and per namespace an info hash with the counters and a metadata hash.
 */
final class RedisNamespaceStore implements NamespaceStore {
  private final RedisStorage storage;

  RedisNamespaceStore(RedisStorage storage) {
    this.storage = storage;
  }

  @Override
  public NamespaceInfo create(String name, Map<String, String> metadata) {
    Names.checkNamespace(name);
    Objects.requireNonNull(metadata, "metadata is null");
    storage.ensureOpen();
    try {
      // The id is taken first so the script can name every key it touches; an id taken for a
      // name that turns out to exist is simply never used.
      long id = storage.commands().incr(storage.keys.counter());
      List<byte[]> args = new ArrayList<>();
      args.add(RedisKeys.bytes(name));
      args.add(RedisKeys.bytes(Long.toString(id)));
      for (var e : metadata.entrySet()) {
        args.add(RedisKeys.bytes(e.getKey()));
        args.add(RedisKeys.bytes(e.getValue()));
      }
      List<Object> reply =
          storage.eval(RedisScripts.CREATE, storage.keys.namespace(id), RedisStorage.array(args));
      if (RedisStorage.status(reply) == 3) {
        throw new SyncException(
            StorageError.NAMESPACE_EXISTS, "namespace " + name + " exists already");
      }
      storage.remember(name, id);
      return new NamespaceInfo(name, metadata, 0, 0, 0, 0);
    } catch (RuntimeException e) {
      throw storage.translate(e, "creating namespace " + name);
    }
  }

  @Override
  public Optional<NamespaceInfo> get(String name) {
    try {
      return Optional.of(
          info(name, storage.inNamespace("reading", name, RedisScripts.INFO, () -> new byte[0][])));
    } catch (SyncException e) {
      if (e.errorCode() == StorageError.NAMESPACE_NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<NamespaceInfo> list(String afterName, int limit) {
    Objects.requireNonNull(afterName, "afterName is null");
    if (limit <= 0) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
    }
    List<NamespaceInfo> out = new ArrayList<>();
    String after = afterName;
    // Names dropped between the listing and the read are skipped; read on until the page is full.
    while (out.size() < limit) {
      int want = limit - out.size();
      String from = after;
      List<byte[]> names =
          storage.command(
              "listing namespaces",
              () ->
                  storage
                      .commands()
                      .zrangebylex(
                          storage.keys.names(),
                          from.isEmpty()
                              ? Range.unbounded()
                              : Range.from(
                                  Range.Boundary.excluding(RedisKeys.bytes(from)),
                                  Range.Boundary.unbounded()),
                          Limit.create(0, want)));
      for (byte[] raw : names) {
        String name = new String(raw, StandardCharsets.UTF_8);
        get(name).ifPresent(out::add);
        after = name;
      }
      if (names.size() < want) {
        break;
      }
    }
    return out;
  }

  @Override
  public NamespaceInfo putMetadata(String name, String key, String value) {
    Objects.requireNonNull(key, "key is null");
    List<Object> reply =
        storage.inNamespace(
            "setting metadata",
            name,
            RedisScripts.PUT_METADATA,
            () ->
                new byte[][] {
                  RedisKeys.bytes(key),
                  RedisKeys.bytes(value == null ? "0" : "1"),
                  RedisKeys.bytes(value == null ? "" : value)
                });
    return info(name, reply);
  }

  @Override
  public void drop(String name) {
    storage.inNamespace("dropping", name, RedisScripts.DROP, () -> new byte[0][]);
    storage.forget(name);
  }

  /** The namespace described by an {@link RedisScripts#INFO}-shaped reply. */
  private static NamespaceInfo info(String name, List<Object> reply) {
    Map<String, String> counters = pairs(RedisStorage.list(reply.get(1)));
    Map<String, String> metadata = pairs(RedisStorage.list(reply.get(2)));
    return new NamespaceInfo(
        name,
        metadata,
        counter(counters, "seq"),
        counter(counters, "ts"),
        counter(counters, "live"),
        counter(counters, "deleted"));
  }

  private static long counter(Map<String, String> counters, String key) {
    String v = counters.get(key);
    return v == null ? 0 : Long.parseLong(v);
  }

  private static Map<String, String> pairs(List<Object> flat) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.put(RedisStorage.string(flat.get(i)), RedisStorage.string(flat.get(i + 1)));
    }
    return out;
  }
}
