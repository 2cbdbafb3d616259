package io.polysync.engine;

import static io.polysync.engine.TestDocs.doc;
import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.DocumentStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.Storages;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import io.polysync.spi.tck.ForwardingStorage;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Owned documents on the in-memory reference adapter, plus a lost index write and its repair. */
final class OwnedDocumentsTest extends OwnedDocumentsContract {
  @Override
  SyncEngine openEngine() {
    return TestStorages.memoryEngine();
  }

  @Test
  void databaseRecreatedByAnotherProcess_indexIsMadeAgain() {
    String uri = TestStorages.freshUri();
    // Clear values: a sealing engine caches the data key of the database the other one re-creates,
    // which is a matter of encryption at rest, not of the indexes.
    EngineOptions clear = EngineOptions.defaults().withEncryption(false);
    try (SyncEngine first = SyncEngine.open(StorageConfig.of(uri), clear);
        SyncEngine second = SyncEngine.open(StorageConfig.of(uri), clear)) {
      SecurityObject owned = new SecurityObject(List.of(), List.of(), List.of("alice"), List.of(), true);
      first.createDatabase("again").setSecurity(owned);
      Database alice = first.database("again").forUser(ALICE);
      alice.put(doc("a1"));
      assertThat(ids(alice.changes(ChangesOptions.since(0)))).containsExactly("a1");
      second.deleteDatabase("again");
      second.createDatabase("again").setSecurity(owned);
      // The first engine still believes the old index exists.
      alice.put(doc("a2"));
      assertThat(ids(alice.changes(ChangesOptions.since(0)))).containsExactly("a2");
    }
  }

  @Test
  void indexWriteLost_nextProcessRepairsIt() {
    String uri = TestStorages.freshUri();
    Storage inner = Storages.open(StorageConfig.of(uri));
    AtomicBoolean failIndex = new AtomicBoolean(true);
    Storage flaky = new ForwardingStorage(inner) {
      @Override
      public DocumentStore documents() {
        return new ForwardingStorage.ForwardingDocuments(delegate.documents()) {
          @Override
          public List<WriteResult> write(String namespace, List<WriteItem> items) {
            if (failIndex.get() && namespace.startsWith("_own_")) {
              throw new SyncException(StorageError.UNAVAILABLE, "the process stopped here");
            }
            return delegate.write(namespace, items);
          }
        };
      }
    };
    try (SyncEngine first = SyncEngine.create(flaky, TestStorages.options())) {
      Database shared = first.createDatabase("crashy");
      shared.setSecurity(new SecurityObject(List.of(), List.of(), List.of("alice"), List.of(), true));
      // The document commits; its index entry does not.
      shared.forUser(ALICE).put(doc("a1"));
    }
    failIndex.set(false);
    try (SyncEngine second = SyncEngine.create(flaky, TestStorages.options())) {
      Database alice = second.database("crashy").forUser(ALICE);
      assertThat(second.database("crashy").repairOwnedIndex()).isEqualTo(1);
      assertThat(ids(alice.changes(ChangesOptions.since(0)))).containsExactly("a1");
    } finally {
      inner.close();
    }
  }
}
