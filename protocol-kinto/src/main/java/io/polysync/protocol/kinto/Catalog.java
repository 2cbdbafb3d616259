package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.EngineError;
import io.polysync.engine.WriteOutcome;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Buckets, collections and groups: documents of the engine's system database {@value #DATABASE}
 * with ids {@code b:BID}, {@code c:BID:CID} and {@code g:BID:GID} (Kinto ids never hold {@code :})
 * and bodies {@code {"data":{...},"permissions":{...}}}. Every process keeps a snapshot in memory
 * and brings it up to date from the database's changes feed before each request (one storage read
 * when nothing changed), so processes on one storage agree without a cache to invalidate.
 */
final class Catalog {
  static final String DATABASE = "_kinto";

  enum Kind {
    BUCKET("b", "bucket"), COLLECTION("c", "collection"), GROUP("g", "group");

    final String prefix;
    final String resourceName;

    Kind(String prefix, String resourceName) {
      this.prefix = prefix;
      this.resourceName = resourceName;
    }
  }

  private record Snapshot(long seq, NavigableMap<String, Item> items) {}

  private final Database db;
  private volatile Snapshot snapshot = new Snapshot(0, Collections.emptyNavigableMap());

  Catalog(Database db) {
    this.db = db;
  }

  static String key(Kind kind, String bucket, String id) {
    return kind == Kind.BUCKET ? "b:" + bucket : kind.prefix + ":" + bucket + ":" + id;
  }

  /** Reads the writes made since the snapshot (by any process). */
  void refresh() {
    Snapshot current = snapshot;
    ChangesResult changes = db.changes(ChangesOptions.since(current.seq).withIncludeDocs(true));
    if (changes.results().isEmpty()) {
      return;
    }
    synchronized (this) {
      current = snapshot;
      TreeMap<String, Item> items = new TreeMap<>(current.items);
      long seq = current.seq;
      for (ChangesResult.Row row : changes.results()) {
        if (row.seq() <= seq) {
          continue;
        }
        items.put(row.id(), item(row));
      }
      snapshot = new Snapshot(Math.max(seq, changes.lastSeq()), Collections.unmodifiableNavigableMap(items));
    }
  }

  private static Item item(ChangesResult.Row row) {
    String id = row.id().substring(row.id().lastIndexOf(':') + 1);
    ObjectNode doc = row.doc().orElseGet(Json::object);
    ObjectNode data = doc.path("data").isObject() ? (ObjectNode) doc.get("data") : Json.object();
    Perms perms = Perms.fromStored(doc.get("permissions"));
    return new Item(id, row.timestamp(), row.deleted(), data, row.deleted() ? Perms.NONE : perms,
        row.changes().isEmpty() ? "" : row.changes().get(0), row.seq());
  }

  /** The object, live or deleted. */
  Optional<Item> find(Kind kind, String bucket, String id) {
    return Optional.ofNullable(snapshot.items.get(key(kind, bucket, id)));
  }

  Optional<Item> live(Kind kind, String bucket, String id) {
    return find(kind, bucket, id).filter(i -> !i.deleted());
  }

  /** Every object of a kind in a bucket (every bucket for {@link Kind#BUCKET}), tombstones included. */
  List<Item> all(Kind kind, String bucket) {
    String prefix = kind == Kind.BUCKET ? "b:" : kind.prefix + ":" + bucket + ":";
    return new ArrayList<>(snapshot.items.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values());
  }

  /** The list timestamp: the newest write among the objects of the list, tombstones included. */
  long listTimestamp(Kind kind, String bucket, long fallback) {
    long max = 0;
    for (Item item : all(kind, bucket)) {
      max = Math.max(max, item.lastModified());
    }
    return max == 0 ? fallback : max;
  }

  /** The groups whose members hold one of {@code principals}, as principals ({@code /buckets/B/groups/G}). */
  List<String> groupsOf(java.util.Set<String> principals) {
    List<String> out = new ArrayList<>();
    for (var e : snapshot.items.subMap("g:", true, "g:" + Character.MAX_VALUE, false).entrySet()) {
      Item g = e.getValue();
      if (g.deleted()) {
        continue;
      }
      for (JsonNode m : g.fields().path("members")) {
        if (principals.contains(m.asText())) {
          String[] parts = e.getKey().split(":");
          out.add("/buckets/" + parts[1] + "/groups/" + parts[2]);
          break;
        }
      }
    }
    return out;
  }

  /**
   * Writes an object; {@code expectedRev} is the revision the caller read (empty to create).
   *
   * @return the stored object; empty when another writer came first (a 412 for the caller)
   */
  Optional<Item> write(Kind kind, String bucket, String id, ObjectNode data, Perms perms, Optional<String> expectedRev) {
    ObjectNode doc = Json.object();
    doc.put("_id", key(kind, bucket, id));
    expectedRev.filter(r -> !r.isEmpty()).ifPresent(r -> doc.put("_rev", r));
    doc.set("data", data);
    doc.set("permissions", perms.toJson());
    return commit(doc);
  }

  Optional<Item> delete(Kind kind, String bucket, String id, String rev) {
    ObjectNode doc = Json.object();
    doc.put("_id", key(kind, bucket, id));
    doc.put("_rev", rev);
    doc.put("_deleted", true);
    return commit(doc);
  }

  private Optional<Item> commit(ObjectNode doc) {
    WriteOutcome outcome = db.bulkDocs(List.of(DocumentWrite.of(doc)), true).get(0);
    refresh();
    if (outcome instanceof WriteOutcome.Failed failed) {
      if (failed.error() == EngineError.DOCUMENT_CONFLICT) {
        return Optional.empty();
      }
      throw failed.toException();
    }
    return Optional.ofNullable(snapshot.items.get(doc.get("_id").asText()));
  }

  static boolean isConflict(SyncException e) {
    return e.errorCode() == EngineError.DOCUMENT_CONFLICT;
  }
}
