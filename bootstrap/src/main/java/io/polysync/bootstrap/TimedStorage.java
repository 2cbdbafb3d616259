package io.polysync.bootstrap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.polysync.spi.BlobStore;
import io.polysync.spi.Capabilities;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.KeyRange;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.LocalStore;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.Query;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Times every call into a storage adapter, as {@code polysync_storage_operation_seconds} by adapter,
 * operation ({@code documents.write}, ...) and outcome ({@code ok} or {@code error}). It sits below
 * the engine's sealing layer, so the figures are the adapter's and its database's, without
 * encryption; the engine never knows it is there.
 *
 * <p>Change-signal subscriptions are not timed: they are registrations, not round trips.
 */
final class TimedStorage implements Storage {
  static final String METER = "polysync.storage.operation";
  /** Storage round trips: from an in-process SQLite read to a slow write on a remote database. */
  private static final Duration[] BUCKETS = {
    Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
    Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
    Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)
  };

  private final Storage delegate;
  private final NamespaceStore namespaces;
  private final DocumentStore documents;
  private final LocalStore locals;
  private final BlobStore blobs;
  private final QueryStore queries;

  TimedStorage(Storage delegate, String adapter, MeterRegistry registry) {
    this.delegate = delegate;
    Timers t = new Timers(adapter, registry);
    NamespaceStore ns = delegate.namespaces();
    Op nsCreate = t.op("namespaces.create");
    Op nsGet = t.op("namespaces.get");
    Op nsList = t.op("namespaces.list");
    Op nsPut = t.op("namespaces.putMetadata");
    Op nsDrop = t.op("namespaces.drop");
    this.namespaces = new NamespaceStore() {
      @Override
      public NamespaceInfo create(String name, Map<String, String> metadata) {
        return nsCreate.time(() -> ns.create(name, metadata));
      }

      @Override
      public Optional<NamespaceInfo> get(String name) {
        return nsGet.time(() -> ns.get(name));
      }

      @Override
      public List<NamespaceInfo> list(String afterName, int limit) {
        return nsList.time(() -> ns.list(afterName, limit));
      }

      @Override
      public NamespaceInfo putMetadata(String name, String key, String value) {
        return nsPut.time(() -> ns.putMetadata(name, key, value));
      }

      @Override
      public void drop(String name) {
        nsDrop.run(() -> ns.drop(name));
      }
    };
    DocumentStore docs = delegate.documents();
    Op docGet = t.op("documents.get");
    Op docGetAll = t.op("documents.getAll");
    Op docRange = t.op("documents.range");
    Op docWrite = t.op("documents.write");
    Op docChanges = t.op("documents.changes");
    this.documents = new DocumentStore() {
      @Override
      public Optional<StoredDocument> get(String namespace, String id) {
        return docGet.time(() -> docs.get(namespace, id));
      }

      @Override
      public List<StoredDocument> getAll(String namespace, List<String> ids) {
        return docGetAll.time(() -> docs.getAll(namespace, ids));
      }

      @Override
      public List<StoredDocument> range(String namespace, KeyRange range) {
        return docRange.time(() -> docs.range(namespace, range));
      }

      @Override
      public List<WriteResult> write(String namespace, List<WriteItem> items) {
        return docWrite.time(() -> docs.write(namespace, items));
      }

      @Override
      public List<StoredDocument> changes(String namespace, ChangesRange range) {
        return docChanges.time(() -> docs.changes(namespace, range));
      }
    };
    LocalStore local = delegate.locals();
    Op localGet = t.op("locals.get");
    Op localPut = t.op("locals.put");
    Op localDelete = t.op("locals.delete");
    this.locals = new LocalStore() {
      @Override
      public Optional<LocalDocument> get(String namespace, String id) {
        return localGet.time(() -> local.get(namespace, id));
      }

      @Override
      public long put(String namespace, String id, byte[] body, long expectedVersion) {
        return localPut.time(() -> local.put(namespace, id, body, expectedVersion));
      }

      @Override
      public void delete(String namespace, String id, long expectedVersion) {
        localDelete.run(() -> local.delete(namespace, id, expectedVersion));
      }
    };
    BlobStore blob = delegate.blobs();
    Op blobPut = t.op("blobs.put");
    Op blobGet = t.op("blobs.get");
    Op blobDelete = t.op("blobs.delete");
    this.blobs = new BlobStore() {
      @Override
      public void put(String namespace, String key, byte[] data) {
        blobPut.run(() -> blob.put(namespace, key, data));
      }

      @Override
      public Optional<byte[]> get(String namespace, String key) {
        return blobGet.time(() -> blob.get(namespace, key));
      }

      @Override
      public boolean delete(String namespace, String key) {
        return blobDelete.time(() -> blob.delete(namespace, key));
      }
    };
    QueryStore query = delegate.queries();
    Op queryOp = t.op("queries.query");
    this.queries = (String namespace, Query q) -> queryOp.time(() -> query.query(namespace, q));
  }

  /** The meters of one adapter. */
  private record Timers(String adapter, MeterRegistry registry) {
    Op op(String operation) {
      return new Op(timer(operation, "ok"), timer(operation, "error"));
    }

    private Timer timer(String operation, String outcome) {
      return Timer.builder(METER)
          .description("Calls into the storage adapter, below encryption at rest")
          .tags("adapter", adapter, "operation", operation, "outcome", outcome)
          .serviceLevelObjectives(BUCKETS)
          .register(registry);
    }
  }

  /** One operation's timers, resolved once so a call costs no registry lookup. */
  private record Op(Timer ok, Timer error) {
    <T> T time(Supplier<T> call) {
      long start = System.nanoTime();
      boolean done = false;
      try {
        T result = call.get();
        done = true;
        return result;
      } finally {
        (done ? ok : error).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
      }
    }

    void run(Runnable call) {
      time(() -> {
        call.run();
        return null;
      });
    }
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
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
    return delegate.signals();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
