package io.polysync.engine;

import io.polysync.spi.Capabilities;
import io.polysync.spi.Capability;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.KeyRange;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import io.polysync.spi.tck.ForwardingStorage;
import java.util.EnumSet;
import java.util.List;
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

  static final class Limited extends ForwardingStorage {
    final Capabilities capabilities;
    final AtomicInteger writeCalls = new AtomicInteger();
    final AtomicInteger rangeCalls = new AtomicInteger();

    Limited(Storage inner, int maxBatchSize) {
      super(inner);
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
    public DocumentStore documents() {
      return new ForwardingDocuments(delegate.documents()) {
        @Override
        public List<StoredDocument> range(String namespace, KeyRange range) {
          rangeCalls.incrementAndGet();
          return delegate.range(namespace, range);
        }

        @Override
        public List<WriteResult> write(String namespace, List<WriteItem> items) {
          writeCalls.incrementAndGet();
          if (items.size() > capabilities.maxBatchSize()) {
            throw new AssertionError("batch of " + items.size() + " above " + capabilities.maxBatchSize());
          }
          return delegate.write(namespace, items);
        }
      };
    }

    @Override
    public QueryStore queries() {
      return (namespace, query) -> {
        throw new AssertionError("query push-down is not declared");
      };
    }
  }
}
