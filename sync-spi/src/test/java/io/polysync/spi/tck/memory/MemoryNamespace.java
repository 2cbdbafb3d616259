package io.polysync.spi.tck.memory;

import io.polysync.spi.ChangesRange;
import io.polysync.spi.JsonValue;
import io.polysync.spi.KeyRange;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.Names;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Query;
import io.polysync.spi.QueryEvaluator;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One namespace. Every method holds the namespace's monitor for its whole run: that one lock is
 * what makes a batch atomic and keeps sequence numbers from becoming visible out of order.
 */
final class MemoryNamespace {
  private final MemoryDatabase db;
  private final String name;
  private final Map<String, String> metadata;
  private final TreeMap<String, Entry> byId = new TreeMap<>(Names::compare);
  private final TreeMap<Long, Entry> bySeq = new TreeMap<>();
  private final TreeMap<String, LocalDocument> locals = new TreeMap<>(Names::compare);
  private final Map<String, byte[]> blobs = new HashMap<>();
  private long lastSeq;
  private long lastTimestamp;
  private long documentCount;
  private long deletedCount;
  private boolean dropped;

  /** A stored document with the clear body queries see. */
  record Entry(StoredDocument document, JsonValue.JsonObject queryBody) {
    QueryEvaluator.Candidate candidate() {
      StoredDocument d = document;
      return new QueryEvaluator.Candidate(
          d.id(), d.seq(), d.timestamp(), d.deleted(),
          d.deleted() ? JsonValue.JsonObject.empty() : queryBody);
    }
  }

  MemoryNamespace(MemoryDatabase db, String name, Map<String, String> metadata) {
    this.db = db;
    this.name = name;
    this.metadata = new HashMap<>(metadata);
  }

  synchronized void markDropped() {
    dropped = true;
  }

  private void live() {
    if (dropped) {
      throw new SyncException(StorageError.NAMESPACE_NOT_FOUND, "no such namespace: " + name);
    }
  }

  synchronized Optional<NamespaceInfo> infoIfLive() {
    return dropped ? Optional.empty() : Optional.of(info());
  }

  synchronized NamespaceInfo info() {
    live();
    return new NamespaceInfo(name, metadata, lastSeq, lastTimestamp, documentCount, deletedCount);
  }

  synchronized NamespaceInfo putMetadata(String key, String value) {
    live();
    if (value == null) {
      metadata.remove(key);
    } else {
      metadata.put(key, value);
    }
    db.journal.metadata(name, key, value);
    return info();
  }

  synchronized Optional<StoredDocument> get(String id) {
    live();
    Entry e = byId.get(id);
    return e == null ? Optional.empty() : Optional.of(e.document);
  }

  synchronized List<StoredDocument> getAll(List<String> ids) {
    live();
    List<StoredDocument> found = new ArrayList<>();
    for (String id : ids) {
      Entry e = byId.get(id);
      if (e != null) {
        found.add(e.document);
      }
    }
    return found;
  }

  synchronized List<StoredDocument> range(KeyRange range) {
    live();
    NavigableMap<String, Entry> view = byId;
    if (range.descending()) {
      view = view.descendingMap();
    }
    if (range.start().isPresent()) {
      view = view.tailMap(range.start().get(), true);
    }
    if (range.end().isPresent()) {
      view = view.headMap(range.end().get(), range.inclusiveEnd());
    }
    List<StoredDocument> out = new ArrayList<>();
    for (Entry e : view.values()) {
      if (out.size() >= range.limit()) {
        break;
      }
      if (range.includeDeleted() || !e.document.deleted()) {
        out.add(e.document);
      }
    }
    return out;
  }

  synchronized List<StoredDocument> changes(ChangesRange range) {
    live();
    NavigableMap<Long, Entry> view = bySeq.subMap(range.since(), false, range.until(), false);
    if (range.descending()) {
      view = view.descendingMap();
    }
    List<StoredDocument> out = new ArrayList<>();
    for (Entry e : view.values()) {
      if (out.size() >= range.limit()) {
        break;
      }
      out.add(e.document);
    }
    return out;
  }

  /** Applies a validated batch; the whole batch holds the lock, so it is atomic too. */
  synchronized List<WriteResult> write(List<WriteItem> items, long maxValueBytes) {
    live();
    List<WriteResult> results = new ArrayList<>(items.size());
    List<Entry> committed = new ArrayList<>(items.size());
    for (WriteItem item : items) {
      Entry current = byId.get(item.id());
      long currentSeq = current == null ? 0 : current.document.seq();
      if (item.expectedSeq() != currentSeq) {
        results.add(new WriteResult.Conflict(item.id(), currentSeq));
        continue;
      }
      long size = valueBytes(item);
      if (size > maxValueBytes) {
        results.add(
            new WriteResult.Rejected(
                item.id(),
                new SyncException(
                    StorageError.VALUE_TOO_LARGE,
                    "document " + item.id() + " is " + size + " bytes, the limit is "
                        + maxValueBytes)));
        continue;
      }
      long seq = lastSeq + 1;
      long timestamp = Math.max(System.currentTimeMillis(), lastTimestamp + 1);
      StoredDocument stored =
          new StoredDocument(
              item.id(), seq, timestamp, item.winningRev(), item.deleted(), item.state().clone());
      Entry next =
          new Entry(stored, item.deleted() ? JsonValue.JsonObject.empty()
              : item.queryBody().orElse(JsonValue.JsonObject.empty()));
      restore(next);
      committed.add(next);
      results.add(new WriteResult.Written(item.id(), seq, timestamp));
    }
    db.journal.documents(name, committed);
    return results;
  }

  /** Installs a document state: a write that passed its checks, or one replayed from a journal. */
  synchronized void restore(Entry next) {
    StoredDocument stored = next.document;
    Entry current = byId.get(stored.id());
    if (current != null) {
      bySeq.remove(current.document.seq());
      if (current.document.deleted()) {
        deletedCount--;
      } else {
        documentCount--;
      }
    }
    if (stored.deleted()) {
      deletedCount++;
    } else {
      documentCount++;
    }
    byId.put(stored.id(), next);
    bySeq.put(stored.seq(), next);
    lastSeq = Math.max(lastSeq, stored.seq());
    lastTimestamp = Math.max(lastTimestamp, stored.timestamp());
  }

  private static long valueBytes(WriteItem item) {
    // The limit is on the state (Capabilities#maxValueBytes); the clear query body is a copy of
    // part of it and does not count twice.
    return item.state().length;
  }

  /** Answers every query, with the reference evaluator itself: push-down by definition. */
  synchronized List<StoredDocument> query(Query query) {
    live();
    List<QueryEvaluator.Candidate> all = new ArrayList<>(byId.size());
    for (Entry e : byId.values()) {
      all.add(e.candidate());
    }
    List<StoredDocument> out = new ArrayList<>();
    for (QueryEvaluator.Candidate hit : QueryEvaluator.evaluate(query, all)) {
      out.add(byId.get(hit.id()).document);
    }
    return out;
  }

  synchronized Optional<LocalDocument> getLocal(String id) {
    live();
    return Optional.ofNullable(locals.get(id));
  }

  synchronized List<LocalDocument> listLocals(String afterId, int limit) {
    live();
    List<LocalDocument> out = new ArrayList<>();
    for (LocalDocument doc : locals.tailMap(afterId, false).values()) {
      if (out.size() == limit) {
        break;
      }
      out.add(new LocalDocument(doc.id(), doc.version(), doc.body().clone()));
    }
    return out;
  }

  synchronized long putLocal(String id, byte[] body, long expectedVersion) {
    live();
    LocalDocument current = locals.get(id);
    long currentVersion = current == null ? 0 : current.version();
    if (currentVersion != expectedVersion) {
      throw new SyncException(
          StorageError.LOCAL_CONFLICT,
          "local document " + id + " is at version " + currentVersion + ", not "
              + expectedVersion);
    }
    LocalDocument next = new LocalDocument(id, currentVersion + 1, body.clone());
    locals.put(id, next);
    db.journal.localPut(name, next);
    return next.version();
  }

  synchronized void deleteLocal(String id, long expectedVersion) {
    live();
    LocalDocument current = locals.get(id);
    if (current == null || current.version() != expectedVersion) {
      throw new SyncException(
          StorageError.LOCAL_CONFLICT,
          "local document " + id + " is "
              + (current == null ? "absent" : "at version " + current.version()) + ", not "
              + expectedVersion);
    }
    locals.remove(id);
    db.journal.localDeleted(name, id);
  }

  synchronized void restoreLocal(LocalDocument doc) {
    locals.put(doc.id(), doc);
  }

  synchronized void restoreLocalDeleted(String id) {
    locals.remove(id);
  }

  synchronized void putBlob(String key, byte[] data) {
    live();
    if (blobs.putIfAbsent(key, data.clone()) == null) {
      db.journal.blobPut(name, key, data);
    }
  }

  synchronized Optional<byte[]> getBlob(String key) {
    live();
    byte[] data = blobs.get(key);
    return data == null ? Optional.empty() : Optional.of(data.clone());
  }

  synchronized boolean deleteBlob(String key) {
    live();
    if (blobs.remove(key) == null) {
      return false;
    }
    db.journal.blobDeleted(name, key);
    return true;
  }
}
