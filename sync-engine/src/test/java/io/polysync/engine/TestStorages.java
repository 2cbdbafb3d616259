package io.polysync.engine;

import io.polysync.spi.BlobStore;
import io.polysync.spi.Capabilities;
import io.polysync.spi.Capability;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.LocalStore;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Engines over the in-memory reference adapter, optionally with narrower declared capabilities. */
final class TestStorages {
  private TestStorages() {}

  static String freshUri() {
    return "memory:engine-" + UUID.randomUUID();
  }

  /** One fixed key for every test engine, so engines opened on one storage share their keys. */
  static final KeyProvider KEYS = KeyProvider.ofKeys("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

  /** The defaults, encryption on, with the test key. */
  static EngineOptions options() {
    return EngineOptions.defaults().withKeyProvider(KEYS);
  }

  static SyncEngine open(String uri) {
    return SyncEngine.open(StorageConfig.of(uri), options());
  }

  static SyncEngine memoryEngine() {
    return open(freshUri());
  }

  /**
   * An engine whose storage declares a small batch size and no query push-down, so that the
   * engine's batch splitting and its own query evaluation are exercised; counts write calls.
   */
  static Limited limited(int maxBatchSize) {
    Storage inner = Storages.open(StorageConfig.of(freshUri()));
    return new Limited(inner, maxBatchSize);
  }

  static final class Limited implements Storage {
    final Storage inner;
    final Capabilities capabilities;
    final AtomicInteger writeCalls = new AtomicInteger();
    final AtomicInteger rangeCalls = new AtomicInteger();

    Limited(Storage inner, int maxBatchSize) {
      this.inner = inner;
      EnumSet<Capability> flags = EnumSet.noneOf(Capability.class);
      flags.addAll(inner.capabilities().flags());
      flags.remove(Capability.QUERY_PUSHDOWN);
      this.capabilities = new Capabilities(flags, inner.capabilities().maxValueBytes(), maxBatchSize,
          inner.capabilities().signalPollInterval());
    }

    @Override
    public Capabilities capabilities() {
      return capabilities;
    }

    @Override
    public NamespaceStore namespaces() {
      return inner.namespaces();
    }

    @Override
    public DocumentStore documents() {
      DocumentStore docs = inner.documents();
      return new DocumentStore() {
        @Override
        public java.util.Optional<io.polysync.spi.StoredDocument> get(String namespace, String id) {
          return docs.get(namespace, id);
        }

        @Override
        public java.util.List<io.polysync.spi.StoredDocument> getAll(String namespace, java.util.List<String> ids) {
          return docs.getAll(namespace, ids);
        }

        @Override
        public java.util.List<io.polysync.spi.StoredDocument> range(String namespace, io.polysync.spi.KeyRange range) {
          rangeCalls.incrementAndGet();
          return docs.range(namespace, range);
        }

        @Override
        public java.util.List<io.polysync.spi.WriteResult> write(
            String namespace, java.util.List<io.polysync.spi.WriteItem> items) {
          writeCalls.incrementAndGet();
          if (items.size() > capabilities.maxBatchSize()) {
            throw new AssertionError("batch of " + items.size() + " above " + capabilities.maxBatchSize());
          }
          return docs.write(namespace, items);
        }

        @Override
        public java.util.List<io.polysync.spi.StoredDocument> changes(
            String namespace, io.polysync.spi.ChangesRange range) {
          return docs.changes(namespace, range);
        }
      };
    }

    @Override
    public LocalStore locals() {
      return inner.locals();
    }

    @Override
    public BlobStore blobs() {
      return inner.blobs();
    }

    @Override
    public QueryStore queries() {
      return (namespace, query) -> {
        throw new AssertionError("query push-down is not declared");
      };
    }

    @Override
    public ChangeSignals signals() {
      return inner.signals();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
