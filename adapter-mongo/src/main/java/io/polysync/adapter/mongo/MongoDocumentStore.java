package io.polysync.adapter.mongo;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.KeyRange;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Documents of {@code polysync_documents}, one MongoDB document each (see {@link MongoWriter} for
 * the fields), read against the namespace's committed watermark {@code lastSeq}.
 *
 * <p>Every read first reads the namespace document, then the documents. A document whose {@code s}
 * is at most the watermark, or whose {@code o} is absent or {@code false}, is committed. One above
 * the watermark whose {@code o} is a document or null is a lease holder's uncommitted write:
 * readers see {@code o}, the version it replaces (none when null). So the changes feed is two indexed queries, on {@code s} up to
 * the watermark and on {@code o.s} for documents above it, merged; nothing above the watermark is
 * ever returned, and nothing committed at or below it is ever hidden.
 */
final class MongoDocumentStore implements DocumentStore {
  private static final int ATTEMPTS = 5;

  private final MongoStorage storage;

  MongoDocumentStore(MongoStorage storage) {
    this.storage = storage;
  }

  /** The version of {@code raw} readers see at {@code watermark}, or null when none. */
  static Document visible(Document raw, long watermark) {
    if (!inFlight(raw) || MongoNamespaceStore.num(raw, "s") <= watermark) {
      return raw;
    }
    return raw.get("o") instanceof Document old ? old : null;
  }

  /**
   * Whether {@code raw} was written under the lease and not cleaned up yet: its {@code o} is the
   * replaced version or null (none). After the commit {@code o} is {@code false}; the transaction
   * path writes none.
   */
  static boolean inFlight(Document raw) {
    return raw.containsKey("o") && !(raw.get("o") instanceof Boolean);
  }

  /** The stored document for a raw document and its visible version. */
  StoredDocument stored(Document raw, Document version) {
    if (!(raw.get("i") instanceof String) || !(version.get("s") instanceof Number)) {
      throw new MongoValues.Missing(); // caught mid-change (seen with the test server): read again
    }
    return new StoredDocument(
        raw.getString("i"),
        MongoNamespaceStore.num(version, "s"),
        MongoNamespaceStore.num(version, "t"),
        version.getString("r"),
        Boolean.TRUE.equals(version.getBoolean("d")),
        storage.values.read(version));
  }

  /**
   * Runs a read, again when a chunk it needed was removed under it (the document moved on: the
   * next attempt reads the new version).
   */
  <T> T read(String what, Supplier<T> work) {
    return storage.call(
        what,
        () -> {
          for (int attempt = 1; ; attempt++) {
            try {
              return work.get();
            } catch (MongoValues.Missing e) {
              if (attempt == ATTEMPTS) {
                throw new SyncException(
                    StorageError.UNAVAILABLE, what + ": the document kept changing; try again");
              }
            }
          }
        });
  }

  @Override
  public Optional<StoredDocument> get(String namespace, String id) {
    String key = MongoKeys.hex(Names.checkId(id));
    return read(
        "reading a document",
        () -> {
          MongoNamespaceStore.Ns ns = storage.namespaces.require(namespace);
          Document raw =
              storage.documentCollection.find(new Document("ns", ns.uid()).append("k", key)).first();
          if (raw == null) {
            return Optional.empty();
          }
          Document version = visible(raw, ns.lastSeq());
          return version == null ? Optional.empty() : Optional.of(stored(raw, version));
        });
  }

  @Override
  public List<StoredDocument> getAll(String namespace, List<String> ids) {
    List<String> keys = new ArrayList<>();
    for (String id : ids) {
      keys.add(MongoKeys.hex(Names.checkId(id)));
    }
    return read(
        "reading documents",
        () -> {
          MongoNamespaceStore.Ns ns = storage.namespaces.require(namespace);
          Map<String, StoredDocument> byKey = new HashMap<>();
          List<String> distinct = List.copyOf(new HashSet<>(keys));
          for (int from = 0; from < distinct.size(); from += MongoWriter.CHUNK) {
            List<String> part = distinct.subList(from, Math.min(distinct.size(), from + MongoWriter.CHUNK));
            for (Document raw :
                storage.documentCollection.find(
                    new Document("ns", ns.uid()).append("k", new Document("$in", part)))) {
              Document version = visible(raw, ns.lastSeq());
              if (version != null) {
                byKey.put(raw.getString("k"), stored(raw, version));
              }
            }
          }
          List<StoredDocument> out = new ArrayList<>();
          for (String key : keys) {
            StoredDocument d = byKey.get(key);
            if (d != null) {
              out.add(d);
            }
          }
          return out;
        });
  }

  @Override
  public List<StoredDocument> range(String namespace, KeyRange range) {
    return read(
        "listing documents",
        () -> {
          MongoNamespaceStore.Ns ns = storage.namespaces.require(namespace);
          List<StoredDocument> out = new ArrayList<>();
          String resume = null;
          while (out.size() < range.limit()) {
            List<Bson> where = new ArrayList<>();
            where.add(Filters.eq("ns", ns.uid()));
            if (range.start().isPresent()) {
              String start = MongoKeys.hex(range.start().get());
              where.add(range.descending() ? Filters.lte("k", start) : Filters.gte("k", start));
            }
            if (range.end().isPresent()) {
              String end = MongoKeys.hex(range.end().get());
              if (range.descending()) {
                where.add(range.inclusiveEnd() ? Filters.gte("k", end) : Filters.gt("k", end));
              } else {
                where.add(range.inclusiveEnd() ? Filters.lte("k", end) : Filters.lt("k", end));
              }
            }
            if (resume != null) {
              where.add(range.descending() ? Filters.lt("k", resume) : Filters.gt("k", resume));
            }
            if (!range.includeDeleted()) {
              // The visible version of a document with a write in flight may differ: kept here,
              // decided below.
              where.add(Filters.or(Filters.eq("d", false), Filters.gt("s", ns.lastSeq())));
            }
            int want = range.limit() - out.size();
            List<Document> page = new ArrayList<>();
            storage.documentCollection
                .find(Filters.and(where))
                .sort(range.descending() ? Sorts.descending("k") : Sorts.ascending("k"))
                .limit(want)
                .into(page);
            for (Document raw : page) {
              Document version = visible(raw, ns.lastSeq());
              if (version != null
                  && (range.includeDeleted() || !Boolean.TRUE.equals(version.getBoolean("d")))) {
                out.add(stored(raw, version));
              }
            }
            if (page.size() < want) {
              break;
            }
            resume = page.getLast().getString("k");
          }
          return out;
        });
  }

  @Override
  public List<StoredDocument> changes(String namespace, ChangesRange range) {
    return read(
        "reading changes",
        () -> {
          MongoNamespaceStore.Ns ns = storage.namespaces.require(namespace);
          long watermark = ns.lastSeq();
          long upper = Math.min(watermark, range.until() - 1);
          if (upper <= range.since()) {
            return List.of();
          }
          Bson committed =
              Filters.and(
                  Filters.eq("ns", ns.uid()),
                  Filters.gt("s", range.since()),
                  Filters.lte("s", upper));
          Bson replaced =
              Filters.and(
                  Filters.eq("ns", ns.uid()),
                  Filters.gt("o.s", range.since()),
                  Filters.lte("o.s", upper),
                  Filters.gt("s", watermark));
          record Entry(long seq, Document raw, Document version) {}
          List<Entry> entries = new ArrayList<>();
          List<Document> raws = new ArrayList<>();
          storage.documentCollection.find(committed)
              .sort(range.descending() ? Sorts.descending("s") : Sorts.ascending("s"))
              .limit(range.limit())
              .into(raws);
          storage.documentCollection.find(replaced)
              .sort(range.descending() ? Sorts.descending("o.s") : Sorts.ascending("o.s"))
              .limit(range.limit())
              .into(raws);
          for (Document raw : raws) {
            // Decided again on what was returned: a document may have moved on between matching
            // and reading, and then belongs where its visible version is, or outside this page.
            Document version = visible(raw, watermark);
            long seq = version == null ? 0 : MongoNamespaceStore.num(version, "s");
            if (seq > range.since() && seq <= upper) {
              entries.add(new Entry(seq, raw, version));
            }
          }
          Comparator<Entry> bySeq = Comparator.comparingLong(Entry::seq);
          entries.sort(range.descending() ? bySeq.reversed() : bySeq);
          // A document committed when the first query ran and rewritten before the second is in
          // both, at the same version: once is enough.
          Set<String> taken = new HashSet<>();
          List<StoredDocument> out = new ArrayList<>();
          for (Entry e : entries) {
            if (out.size() == range.limit()) {
              break;
            }
            if (taken.add(e.raw().getString("k"))) {
              out.add(stored(e.raw(), e.version()));
            }
          }
          return out;
        });
  }

  @Override
  public List<WriteResult> write(String namespace, List<WriteItem> items) {
    MongoNamespaceStore.key(namespace);
    if (items.isEmpty()) {
      throw new SyncException(StorageError.INVALID_BATCH, "the batch is empty");
    }
    if (items.size() > MongoStorage.MAX_BATCH) {
      throw new SyncException(
          StorageError.INVALID_BATCH,
          "the batch has " + items.size() + " items, more than the " + MongoStorage.MAX_BATCH + " allowed");
    }
    Set<String> seen = new HashSet<>();
    WriteResult[] preset = new WriteResult[items.size()];
    for (int i = 0; i < items.size(); i++) {
      WriteItem item = items.get(i);
      if (!seen.add(item.id())) {
        throw new SyncException(
            StorageError.INVALID_BATCH, "the batch names document " + item.id() + " twice");
      }
      if (item.state().length > MongoStorage.MAX_VALUE_BYTES) {
        preset[i] =
            new WriteResult.Rejected(
                item.id(),
                new SyncException(
                    StorageError.VALUE_TOO_LARGE,
                    "document " + item.id() + " is " + item.state().length
                        + " bytes, more than the " + MongoStorage.MAX_VALUE_BYTES + " allowed"));
      }
    }
    List<WriteResult> results =
        storage.call("writing to " + namespace, () -> storage.writer.write(namespace, items, preset));
    long last = 0;
    for (WriteResult r : results) {
      if (r instanceof WriteResult.Written w) {
        last = Math.max(last, w.seq());
      }
    }
    if (last > 0) {
      storage.signals.signal(namespace, last);
    }
    return results;
  }
}
