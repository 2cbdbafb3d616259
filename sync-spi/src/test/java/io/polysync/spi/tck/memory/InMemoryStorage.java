package io.polysync.spi.tck.memory;

import io.polysync.spi.BlobStore;
import io.polysync.spi.Capabilities;
import io.polysync.spi.Capability;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.KeyRange;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.LocalStore;
import io.polysync.spi.Names;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.Query;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** One open storage over a {@link MemoryDatabase}; several may share a database. */
final class InMemoryStorage implements Storage {
  static final long MAX_VALUE_BYTES = 16L * 1024 * 1024;
  static final int MAX_BATCH_SIZE = 10_000;
  private static final Capabilities CAPABILITIES =
      new Capabilities(
          EnumSet.of(
              Capability.QUERY_PUSHDOWN,
              Capability.NATIVE_CHANGE_SIGNALS,
              Capability.ATOMIC_BATCHES,
              Capability.MULTI_PROCESS,
              Capability.LOCAL_LISTING),
          MAX_VALUE_BYTES,
          MAX_BATCH_SIZE,
          Duration.ZERO);

  private final MemoryDatabase db;
  private final Capabilities capabilities;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<MemorySubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final Namespaces namespaces = new Namespaces();
  private final Documents documents = new Documents();
  private final Locals locals = new Locals();
  private final Blobs blobs = new Blobs();
  private final Queries queries = new Queries();
  private final Signals signals = new Signals();

  private final boolean ownsJournal;

  /**
   * @param journaled whether {@code db} is this storage's own journaled database: durable, but not
   *     shared with other opens, so not {@link Capability#MULTI_PROCESS}
   */
  InMemoryStorage(MemoryDatabase db, boolean journaled) {
    this.db = db;
    this.ownsJournal = journaled;
    if (journaled) {
      EnumSet<Capability> flags = EnumSet.copyOf(CAPABILITIES.flags());
      flags.remove(Capability.MULTI_PROCESS);
      this.capabilities = new Capabilities(flags, MAX_VALUE_BYTES, MAX_BATCH_SIZE, Duration.ZERO);
    } else {
      this.capabilities = CAPABILITIES;
    }
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public NamespaceStore namespaces() {
    return namespaces;
  }

  @Override
  public DocumentStore documents() {
    return documents;
  }

  @Override
  public LocalStore locals() {
    return locals;
  }

  @Override
  public BlobStore blobs() {
    return blobs;
  }

  @Override
  public QueryStore queries() {
    return queries;
  }

  @Override
  public ChangeSignals signals() {
    return signals;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (MemorySubscription s : List.copyOf(subscriptions)) {
        s.close();
      }
      if (ownsJournal) {
        db.journal.close();
      }
    }
  }

  @Override
  public String toString() {
    return "InMemoryStorage[" + db.name + "]";
  }

  private MemoryNamespace open(String namespace) {
    checkOpen();
    return db.require(namespace);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new SyncException(StorageError.UNAVAILABLE, "storage memory:" + db.name + " is closed");
    }
  }

  private static void checkSize(long size, String what) {
    if (size > MAX_VALUE_BYTES) {
      throw new SyncException(
          StorageError.VALUE_TOO_LARGE,
          what + " is " + size + " bytes, the limit is " + MAX_VALUE_BYTES);
    }
  }

  private final class Namespaces implements NamespaceStore {
    @Override
    public NamespaceInfo create(String name, Map<String, String> metadata) {
      checkOpen();
      return db.create(name, metadata).info();
    }

    @Override
    public Optional<NamespaceInfo> get(String name) {
      checkOpen();
      return db.find(name).flatMap(MemoryNamespace::infoIfLive);
    }

    @Override
    public List<NamespaceInfo> list(String afterName, int limit) {
      checkOpen();
      if (limit <= 0) {
        throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
      }
      return db.list(afterName, limit);
    }

    @Override
    public NamespaceInfo putMetadata(String name, String key, String value) {
      return open(name).putMetadata(key, value);
    }

    @Override
    public void drop(String name) {
      checkOpen();
      db.drop(name);
    }
  }

  private final class Documents implements DocumentStore {
    @Override
    public Optional<StoredDocument> get(String namespace, String id) {
      MemoryNamespace ns = open(namespace);
      Names.checkId(id);
      return ns.get(id);
    }

    @Override
    public List<StoredDocument> getAll(String namespace, List<String> ids) {
      MemoryNamespace ns = open(namespace);
      ids.forEach(Names::checkId);
      return ns.getAll(ids);
    }

    @Override
    public List<StoredDocument> range(String namespace, KeyRange range) {
      return open(namespace).range(range);
    }

    @Override
    public List<WriteResult> write(String namespace, List<WriteItem> items) {
      MemoryNamespace ns = open(namespace);
      if (items.isEmpty()) {
        throw new SyncException(StorageError.INVALID_BATCH, "write batch is empty");
      }
      if (items.size() > MAX_BATCH_SIZE) {
        throw new SyncException(
            StorageError.INVALID_BATCH,
            "write batch has " + items.size() + " items, the limit is " + MAX_BATCH_SIZE);
      }
      Set<String> ids = new HashSet<>();
      for (WriteItem item : items) {
        if (!ids.add(item.id())) {
          throw new SyncException(
              StorageError.INVALID_BATCH, "write batch names document " + item.id() + " twice");
        }
      }
      List<WriteResult> results = ns.write(items, MAX_VALUE_BYTES);
      long reached = 0;
      for (WriteResult r : results) {
        if (r instanceof WriteResult.Written w) {
          reached = Math.max(reached, w.seq());
        }
      }
      if (reached > 0) {
        db.signal(namespace, reached);
      }
      return results;
    }

    @Override
    public List<StoredDocument> changes(String namespace, ChangesRange range) {
      return open(namespace).changes(range);
    }
  }

  private final class Locals implements LocalStore {
    @Override
    public Optional<LocalDocument> get(String namespace, String id) {
      MemoryNamespace ns = open(namespace);
      Names.checkId(id);
      return ns.getLocal(id);
    }

    @Override
    public List<LocalDocument> list(String namespace, String afterId, int limit) {
      MemoryNamespace ns = open(namespace);
      if (limit < 1) {
        throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
      }
      return ns.listLocals(afterId, limit);
    }

    @Override
    public long put(String namespace, String id, byte[] body, long expectedVersion) {
      MemoryNamespace ns = open(namespace);
      Names.checkId(id);
      if (expectedVersion < 0) {
        throw new SyncException(
            StorageError.INVALID_ARGUMENT, "expectedVersion is negative: " + expectedVersion);
      }
      checkSize(body.length, "local document " + id);
      return ns.putLocal(id, body, expectedVersion);
    }

    @Override
    public void delete(String namespace, String id, long expectedVersion) {
      MemoryNamespace ns = open(namespace);
      Names.checkId(id);
      ns.deleteLocal(id, expectedVersion);
    }
  }

  private final class Blobs implements BlobStore {
    @Override
    public void put(String namespace, String key, byte[] data) {
      MemoryNamespace ns = open(namespace);
      Names.checkBlobKey(key);
      checkSize(data.length, "blob " + key);
      ns.putBlob(key, data);
    }

    @Override
    public Optional<byte[]> get(String namespace, String key) {
      MemoryNamespace ns = open(namespace);
      Names.checkBlobKey(key);
      return ns.getBlob(key);
    }

    @Override
    public boolean delete(String namespace, String key) {
      MemoryNamespace ns = open(namespace);
      Names.checkBlobKey(key);
      return ns.deleteBlob(key);
    }
  }

  private final class Queries implements QueryStore {
    @Override
    public Optional<List<StoredDocument>> query(String namespace, Query query) {
      return Optional.of(open(namespace).query(query));
    }
  }

  private final class Signals implements ChangeSignals {
    @Override
    public Subscription subscribe(String namespace, Listener listener) {
      checkOpen();
      java.util.Objects.requireNonNull(listener, "listener is null");
      MemorySubscription s = new MemorySubscription(namespace, listener);
      subscriptions.add(s);
      db.addListener(namespace, s.listener);
      return s;
    }
  }

  private final class MemorySubscription implements ChangeSignals.Subscription {
    private final String namespace;
    private final ChangeSignals.Listener listener;
    private final AtomicBoolean done = new AtomicBoolean();

    MemorySubscription(String namespace, ChangeSignals.Listener listener) {
      this.namespace = namespace;
      // A fresh object per subscription, so closing one of two subscriptions of the same
      // listener removes exactly one.
      this.listener = (ns, seq) -> listener.changed(ns, seq);
    }

    @Override
    public void close() {
      if (done.compareAndSet(false, true)) {
        db.removeListener(namespace, listener);
        subscriptions.remove(this);
      }
    }
  }
}
