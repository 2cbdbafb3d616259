package io.polysync.spi.tck.selftest;

import io.polysync.spi.Capabilities;
import io.polysync.spi.Capability;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.KeyRange;
import io.polysync.spi.Query;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import io.polysync.spi.tck.ForwardingStorage;
import io.polysync.spi.tck.ForwardingStorage.ForwardingDocuments;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Deliberate bugs, each one a classic way for an adapter to break an invariant, wrapped around the
 * reference adapter. The kit must fail on every one of them.
 */
final class Faults {
  private Faults() {}

  /**
   * The sequence number is allocated in one step and the write published in another: between the
   * two, later writes are already visible, so a reader can pass a seq that appears afterwards.
   * State is shared by every storage of the JVM, as a database would be.
   */
  static Storage lateVisibility(Storage storage) {
    return new ForwardingStorage(storage) {
      @Override
      public DocumentStore documents() {
        return new ForwardingDocuments(delegate.documents()) {
          @Override
          public List<WriteResult> write(String namespace, List<WriteItem> items) {
            List<WriteResult> results = delegate.write(namespace, items);
            List<String> keys = new ArrayList<>();
            for (WriteResult r : results) {
              if (r instanceof WriteResult.Written w) {
                keys.add(namespace + "#" + w.seq());
              }
            }
            UNPUBLISHED.addAll(keys);
            LockSupport.parkNanos(2_000_000);
            keys.forEach(UNPUBLISHED::remove);
            return results;
          }

          @Override
          public List<StoredDocument> changes(String namespace, ChangesRange range) {
            return delegate.changes(namespace, range).stream()
                .filter(d -> !UNPUBLISHED.contains(namespace + "#" + d.seq()))
                .toList();
          }
        };
      }
    };
  }

  private static final Set<String> UNPUBLISHED = ConcurrentHashMap.newKeySet();

  /** Compare-and-set never loses: every write replaces whatever is stored. */
  static Storage ignoresExpectedSeq(Storage storage) {
    return new ForwardingStorage(storage) {
      @Override
      public DocumentStore documents() {
        return new ForwardingDocuments(delegate.documents()) {
          @Override
          public List<WriteResult> write(String namespace, List<WriteItem> items) {
            List<WriteItem> forced = new ArrayList<>();
            for (WriteItem item : items) {
              long current = delegate.get(namespace, item.id()).map(StoredDocument::seq).orElse(0L);
              forced.add(new WriteItem(item.id(), item.winningRev(), item.deleted(), item.state(),
                  current, item.queryBody()));
            }
            return delegate.write(namespace, forced);
          }
        };
      }
    };
  }

  /**
   * Timestamps from the wall clock at the start of each batch plus the item's index: increasing
   * within a batch, but two batches in one millisecond repeat them.
   */
  static Storage wallClockTimestamps(Storage storage) {
    return new ForwardingStorage(storage) {
      @Override
      public DocumentStore documents() {
        return new ForwardingDocuments(delegate.documents()) {
          @Override
          public List<WriteResult> write(String namespace, List<WriteItem> items) {
            long base = System.currentTimeMillis();
            List<WriteResult> out = new ArrayList<>();
            List<WriteResult> results = delegate.write(namespace, items);
            for (int i = 0; i < results.size(); i++) {
              if (results.get(i) instanceof WriteResult.Written w) {
                long ts = base + i;
                TIMESTAMPS.put(namespace + "#" + w.seq(), ts);
                out.add(new WriteResult.Written(w.id(), w.seq(), ts));
              } else {
                out.add(results.get(i));
              }
            }
            return out;
          }

          @Override
          public Optional<StoredDocument> get(String namespace, String id) {
            return delegate.get(namespace, id).map(d -> retime(namespace, d));
          }

          @Override
          public List<StoredDocument> getAll(String namespace, List<String> ids) {
            return delegate.getAll(namespace, ids).stream().map(d -> retime(namespace, d)).toList();
          }

          @Override
          public List<StoredDocument> range(String namespace, KeyRange range) {
            return delegate.range(namespace, range).stream().map(d -> retime(namespace, d)).toList();
          }

          @Override
          public List<StoredDocument> changes(String namespace, ChangesRange range) {
            return delegate.changes(namespace, range).stream().map(d -> retime(namespace, d)).toList();
          }
        };
      }
    };
  }

  private static final Map<String, Long> TIMESTAMPS = new ConcurrentHashMap<>();

  private static StoredDocument retime(String namespace, StoredDocument d) {
    long ts = TIMESTAMPS.getOrDefault(namespace + "#" + d.seq(), d.timestamp());
    return new StoredDocument(d.id(), d.seq(), ts, d.winningRev(), d.deleted(), d.state());
  }

  /** A changes feed read from an uncompacted log: a document appears at every seq it had. */
  static Storage changesFromLog(Storage storage) {
    return new ForwardingStorage(storage) {
      @Override
      public DocumentStore documents() {
        return new ForwardingDocuments(delegate.documents()) {
          @Override
          public List<WriteResult> write(String namespace, List<WriteItem> items) {
            List<WriteResult> results = delegate.write(namespace, items);
            ConcurrentSkipListMap<Long, StoredDocument> log =
                LOGS.computeIfAbsent(namespace, k -> new ConcurrentSkipListMap<>());
            for (int i = 0; i < results.size(); i++) {
              if (results.get(i) instanceof WriteResult.Written w) {
                WriteItem item = items.get(i);
                log.put(w.seq(), new StoredDocument(item.id(), w.seq(), w.timestamp(),
                    item.winningRev(), item.deleted(), item.state()));
              }
            }
            return results;
          }

          @Override
          public List<StoredDocument> changes(String namespace, ChangesRange range) {
            delegate.changes(namespace, range);
            var log = LOGS.getOrDefault(namespace, new ConcurrentSkipListMap<>())
                .subMap(range.since(), false, range.until(), false);
            var view = range.descending() ? log.descendingMap() : log;
            return view.values().stream().limit(range.limit()).toList();
          }
        };
      }
    };
  }

  private static final Map<String, ConcurrentSkipListMap<Long, StoredDocument>> LOGS =
      new ConcurrentHashMap<>();

  /** An off-by-one in the feed's lower bound: the change right after {@code since} is skipped. */
  static Storage changesOffByOne(Storage storage) {
    return new ForwardingStorage(storage) {
      @Override
      public DocumentStore documents() {
        return new ForwardingDocuments(delegate.documents()) {
          @Override
          public List<StoredDocument> changes(String namespace, ChangesRange range) {
            if (range.until() <= range.since() + 1) {
              return List.of();
            }
            return delegate.changes(namespace,
                new ChangesRange(range.since() + 1, range.until(), range.descending(), range.limit()));
          }
        };
      }
    };
  }

  /**
   * A visibility watermark that lags one commit behind for good: the newest change is never
   * delivered until another write comes, and after the last write never.
   */
  static Storage watermarkLagsOneCommit(Storage storage) {
    return new ForwardingStorage(storage) {
      @Override
      public DocumentStore documents() {
        return new ForwardingDocuments(delegate.documents()) {
          @Override
          public List<StoredDocument> changes(String namespace, ChangesRange range) {
            long lastSeq = delegate.changes(namespace, new ChangesRange(0, Long.MAX_VALUE, true, 1))
                .stream().mapToLong(StoredDocument::seq).findFirst().orElse(0);
            return delegate.changes(namespace, range).stream().filter(d -> d.seq() < lastSeq).toList();
          }
        };
      }
    };
  }

  /** Push-down of {@code NE} the SQL way: a missing field does not match (it should). */
  static Storage notEqualSkipsMissing(Storage storage) {
    return withQueries(storage, storage.capabilities(),
        (ns, q) -> storage.queries().query(ns,
            new Query(sqlNotEqual(q.filter()), q.sort(), q.after(), q.limit(), q.includeDeleted())));
  }

  private static Query.Filter sqlNotEqual(Query.Filter filter) {
    return switch (filter) {
      case Query.Filter.Compare c when c.op() == Query.Op.NE ->
          new Query.Filter.And(List.of(new Query.Filter.Exists(c.field(), true), c));
      case Query.Filter.And and -> new Query.Filter.And(and.filters().stream().map(Faults::sqlNotEqual).toList());
      case Query.Filter.Or or -> new Query.Filter.Or(or.filters().stream().map(Faults::sqlNotEqual).toList());
      case Query.Filter.Not not -> new Query.Filter.Not(sqlNotEqual(not.filter()));
      default -> filter;
    };
  }

  /** Push-down that sorts by the first key only (then id), ignoring the others. */
  static Storage sortsByFirstKeyOnly(Storage storage) {
    return withQueries(storage, storage.capabilities(), (ns, q) -> {
      if (q.sort().size() <= 1) {
        return storage.queries().query(ns, q);
      }
      Optional<Query.Cursor> after = q.after().map(c -> new Query.Cursor(c.values().subList(0, 1), c.id()));
      return storage.queries().query(ns,
          new Query(q.filter(), q.sort().subList(0, 1), after, q.limit(), q.includeDeleted()));
    });
  }

  /** Declares push-down but declines every query: push-down is vacuous. */
  static Storage declinesEveryQuery(Storage storage) {
    return withQueries(storage, storage.capabilities(), (ns, q) -> {
      storage.queries().query(ns, q);
      return Optional.empty();
    });
  }

  /** Does not declare push-down, yet answers queries instead of throwing the typed error. */
  static Storage answersUndeclaredQueries(Storage storage) {
    return withQueries(storage, without(storage.capabilities(), Capability.QUERY_PUSHDOWN),
        storage.queries());
  }

  /** Correct: no push-down, declared so, and every query call throws the typed error. */
  static Storage withoutPushdown(Storage storage) {
    return withQueries(storage, without(storage.capabilities(), Capability.QUERY_PUSHDOWN), (ns, q) -> {
      throw new SyncException(StorageError.UNSUPPORTED_CAPABILITY, "no query push-down");
    });
  }

  private static Capabilities without(Capabilities caps, Capability dropped) {
    EnumSet<Capability> flags = EnumSet.noneOf(Capability.class);
    flags.addAll(caps.flags());
    flags.remove(dropped);
    return new Capabilities(flags, caps.maxValueBytes(), caps.maxBatchSize(), caps.signalPollInterval());
  }

  private static Storage withQueries(Storage storage, Capabilities caps, QueryStore queries) {
    return new ForwardingStorage(storage) {
      @Override
      public Capabilities capabilities() {
        return caps;
      }

      @Override
      public QueryStore queries() {
        return queries;
      }
    };
  }

  /** Signals only the listeners of the storage that wrote, never those of other processes. */
  static Storage localSignalsOnly(Storage storage) {
    return new ForwardingStorage(storage) {
      private final Map<String, List<ChangeSignals.Listener>> listeners = new ConcurrentHashMap<>();

      @Override
      public ChangeSignals signals() {
        return (namespace, listener) -> {
          ChangeSignals.Listener own = listener::changed;
          listeners.computeIfAbsent(namespace, k -> new CopyOnWriteArrayList<>()).add(own);
          return () -> listeners.getOrDefault(namespace, List.of()).remove(own);
        };
      }

      @Override
      public DocumentStore documents() {
        return new ForwardingDocuments(delegate.documents()) {
          @Override
          public List<WriteResult> write(String namespace, List<WriteItem> items) {
            List<WriteResult> results = delegate.write(namespace, items);
            long seq = results.stream()
                .filter(r -> r instanceof WriteResult.Written)
                .mapToLong(r -> ((WriteResult.Written) r).seq())
                .max()
                .orElse(0);
            if (seq > 0) {
              listeners.getOrDefault(namespace, List.of()).forEach(l -> l.changed(namespace, seq));
            }
            return results;
          }
        };
      }
    };
  }
}
