package io.polysync.adapter.mongo;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.polysync.spi.Names;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Namespaces as documents of {@code polysync_namespaces}, keyed by the hex of their name (so they
 * list in code point order), holding the committed counters and the write lease.
 *
 * <p>Each namespace carries a {@code uid} drawn when it is created; its documents, local
 * documents, blobs and chunks are stored under that uid, not under the name. Dropping removes the
 * namespace document first (the namespace is gone at once) and its contents after, so a namespace
 * created again under the same name starts empty even while the old contents are still being
 * removed, and a writer that raced the drop writes only into the dropped uid. A drop interrupted by
 * a crash is finished on a later open, from its marker in {@code polysync_drops}.
 */
final class MongoNamespaceStore implements NamespaceStore {
  private static final System.Logger LOG = System.getLogger(MongoNamespaceStore.class.getName());
  /** A drop marker older than this whose namespace still exists belonged to a failed drop. */
  private static final long STALE_DROP_MARKER_MILLIS = 10 * 60_000L;

  /** A namespace document as read. */
  record Ns(
      String name,
      String uid,
      long lastSeq,
      long lastTs,
      long docs,
      long deleted,
      boolean leased,
      long leaseToken,
      long leaseBeat,
      Document raw) {

    static Ns of(Document d) {
      return new Ns(
          d.getString("name"),
          d.getString("uid"),
          num(d, "lastSeq"),
          num(d, "lastTs"),
          num(d, "docs"),
          num(d, "deleted"),
          Boolean.TRUE.equals(d.getBoolean("leased")),
          num(d, "leaseToken"),
          num(d, "leaseBeat"),
          d);
    }

    NamespaceInfo info() {
      Map<String, String> metadata = new HashMap<>();
      Document meta = raw.get("meta", Document.class);
      if (meta != null) {
        for (var e : meta.entrySet()) {
          metadata.put(unhex(e.getKey().substring(1)), (String) e.getValue());
        }
      }
      return new NamespaceInfo(name, metadata, lastSeq, lastTs, docs, deleted);
    }
  }

  private final MongoStorage storage;

  MongoNamespaceStore(MongoStorage storage) {
    this.storage = storage;
  }

  static String key(String name) {
    return MongoKeys.hex(Names.checkNamespace(name));
  }

  static long num(Document d, String field) {
    Object v = d.get(field);
    return v instanceof Number n ? n.longValue() : 0L;
  }

  /** The field of a metadata key: hex, behind a letter so that the empty key has a name too. */
  private static String metaField(String key) {
    return "m" + MongoKeys.hex(key);
  }

  private static String unhex(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The namespace's document, or empty. */
  Optional<Ns> find(String name) {
    Document d = storage.namespaceCollection.find(Filters.eq("_id", key(name))).first();
    return Optional.ofNullable(d).map(Ns::of);
  }

  /** The namespace's document, or a NAMESPACE_NOT_FOUND error. */
  Ns require(String name) {
    return find(name).orElseThrow(() -> MongoStorage.notFound(name));
  }

  @Override
  public NamespaceInfo create(String name, Map<String, String> metadata) {
    String key = key(name);
    Map<String, String> meta = Map.copyOf(Objects.requireNonNull(metadata, "metadata is null"));
    Document metaDoc = new Document();
    meta.forEach((k, v) -> metaDoc.append(metaField(k), v));
    Document doc =
        new Document("_id", key)
            .append("name", name)
            .append("uid", UUID.randomUUID().toString())
            .append("meta", metaDoc)
            .append("lastSeq", 0L)
            .append("lastTs", 0L)
            .append("docs", 0L)
            .append("deleted", 0L)
            .append("leased", false)
            .append("leaseToken", 0L)
            .append("leaseBeat", 0L);
    return storage.call(
        "creating namespace " + name,
        () -> {
          try {
            storage.namespaceCollection.insertOne(doc);
          } catch (RuntimeException e) {
            if (MongoErrors.isDuplicateKey(e)) {
              throw new SyncException(
                  StorageError.NAMESPACE_EXISTS, "namespace " + name + " exists already");
            }
            throw e;
          }
          return Ns.of(doc).info();
        });
  }

  @Override
  public Optional<NamespaceInfo> get(String name) {
    String key = key(name);
    return storage.call(
        "reading namespace " + name,
        () ->
            Optional.ofNullable(storage.namespaceCollection.find(Filters.eq("_id", key)).first())
                .map(d -> Ns.of(d).info()));
  }

  @Override
  public List<NamespaceInfo> list(String afterName, int limit) {
    Objects.requireNonNull(afterName, "afterName is null");
    if (limit <= 0) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
    }
    String after = MongoKeys.hex(afterName);
    return storage.call(
        "listing namespaces",
        () -> {
          List<NamespaceInfo> out = new ArrayList<>();
          for (Document d :
              storage.namespaceCollection.find(Filters.gt("_id", after))
                  .sort(Sorts.ascending("_id"))
                  .limit(limit)) {
            out.add(Ns.of(d).info());
          }
          return out;
        });
  }

  @Override
  public NamespaceInfo putMetadata(String name, String key, String value) {
    String id = key(name);
    Objects.requireNonNull(key, "key is null");
    Bson update =
        value == null
            ? Updates.unset("meta." + metaField(key))
            : Updates.set("meta." + metaField(key), value);
    return storage.call(
        "updating metadata of " + name,
        () -> {
          Document d =
              storage.namespaceCollection.findOneAndUpdate(
                  Filters.eq("_id", id),
                  update,
                  new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
          if (d == null) {
            throw MongoStorage.notFound(name);
          }
          return Ns.of(d).info();
        });
  }

  @Override
  public void drop(String name) {
    String key = key(name);
    storage.run(
        "dropping namespace " + name,
        () -> {
          Ns ns = require(name);
          storage.dropCollection.replaceOne(
              Filters.eq("_id", ns.uid()),
              new Document("_id", ns.uid()).append("name", name).append("at", System.currentTimeMillis()),
              new com.mongodb.client.model.ReplaceOptions().upsert(true));
          long deleted =
              storage.namespaceCollection
                  .deleteOne(Filters.and(Filters.eq("_id", key), Filters.eq("uid", ns.uid())))
                  .getDeletedCount();
          if (deleted == 0) {
            // Dropped (and perhaps created again) by someone else meanwhile: theirs to clean up.
            storage.dropCollection.deleteOne(Filters.eq("_id", ns.uid()));
            throw MongoStorage.notFound(name);
          }
          purge(ns.uid());
        });
  }

  /** Removes everything stored under a dropped namespace's uid, then its drop marker. */
  private void purge(String uid) {
    Bson byNs = Filters.eq("ns", uid);
    storage.documentCollection.deleteMany(byNs);
    storage.localCollection.deleteMany(byNs);
    storage.blobCollection.deleteMany(byNs);
    storage.chunkCollection.deleteMany(byNs);
    storage.dropCollection.deleteOne(Filters.eq("_id", uid));
  }

  /**
   * Finishes drops that a crash interrupted: a marker whose uid no namespace has any more is purged;
   * a marker whose namespace still exists belonged to a drop that never removed it, and is removed
   * once it is old enough that no drop can still be running.
   */
  void finishInterruptedDrops() {
    for (Document marker : storage.dropCollection.find()) {
      String uid = marker.getString("_id");
      if (storage.namespaceCollection.find(Filters.eq("uid", uid)).first() == null) {
        LOG.log(Level.INFO, "finishing the interrupted drop of namespace " + marker.getString("name"));
        purge(uid);
      } else if (System.currentTimeMillis() - num(marker, "at") > STALE_DROP_MARKER_MILLIS) {
        storage.dropCollection.deleteOne(Filters.eq("_id", uid));
      }
    }
  }
}
