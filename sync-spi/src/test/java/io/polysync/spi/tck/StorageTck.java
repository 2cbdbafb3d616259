package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.polysync.spi.ErrorCode;
import io.polysync.spi.JsonValue;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The base of every part of the storage compliance kit: it opens the storage under test once per
 * kit class, gives each test a fresh namespace with a random name (so no database reset is needed
 * between tests or runs), and drops those namespaces afterwards.
 *
 * <p>An adapter module subclasses each kit part once per backend it supports and implements one
 * method, {@link #config()}, returning a configuration that opens the same database on every call
 * (the multi-instance and durability parts open it several times). For example:
 *
 * <pre>
 * final class SqliteStorageTest {
 *   static final StorageConfig CONFIG = StorageConfig.of("sqlite:target/tck.db");
 *
 *   &#64;Nested
 *   final class Documents extends DocumentsTck {
 *     &#64;Override
 *     protected StorageConfig config() {
 *       return CONFIG;
 *     }
 *   }
 *   // ... one nested class per kit part, or one top-level class per part
 * }
 * </pre>
 *
 * <p>The kit opens one storage per kit class (the test instance lives for the class) and creates
 * only namespaces named {@code tck-} and a random suffix, so it can share a database with other
 * tests. Tests that need a server should first call {@link Services#requireReachable}.
 *
 * <p>Storages are opened with {@link Storages#open}, so the adapter's provider must be registered
 * with {@link java.util.ServiceLoader}; that registration is part of what the kit checks. {@link
 * #open()} is overridable only so that the kit's own self-tests can wrap a storage in deliberate
 * faults; adapters should not override it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StorageTck {
  private final List<Storage> opened = new CopyOnWriteArrayList<>();
  private final List<String> created = new CopyOnWriteArrayList<>();
  private Storage storage;

  /** The configuration of the database under test; every call must name the same database. */
  protected abstract StorageConfig config();

  /** Opens a new storage on {@link #config()}; the kit closes it after the class. */
  protected Storage open() {
    return Storages.open(config());
  }

  /** Opens another storage on the same database, closed by the kit after the class. */
  /** The largest {@link io.polysync.spi.Capabilities#maxValueBytes()} the kit can exercise. */
  public static final long MAX_TESTABLE_VALUE_BYTES = 64L * 1024 * 1024;

  /** The largest {@link io.polysync.spi.Capabilities#maxBatchSize()} the kit can exercise. */
  public static final int MAX_TESTABLE_BATCH_SIZE = 100_000;

  /**
   * The kit proves each declared limit by writing a value at it and one past it. A limit beyond
   * what a test JVM can allocate is not skipped but refused, so that no limit goes unchecked:
   * declare a smaller one.
   */
  protected static void requireTestableValueLimit(long maxValueBytes) {
    org.assertj.core.api.Assertions.assertThat(maxValueBytes)
        .as("declared maxValueBytes; the kit checks limits up to %d bytes", MAX_TESTABLE_VALUE_BYTES)
        .isLessThanOrEqualTo(MAX_TESTABLE_VALUE_BYTES);
  }

  /** As {@link #requireTestableValueLimit} for {@link io.polysync.spi.Capabilities#maxBatchSize()}. */
  protected static void requireTestableBatchLimit(long maxBatchSize) {
    org.assertj.core.api.Assertions.assertThat(maxBatchSize)
        .as("declared maxBatchSize; the kit checks limits up to %d items", MAX_TESTABLE_BATCH_SIZE)
        .isLessThanOrEqualTo(MAX_TESTABLE_BATCH_SIZE);
  }

  protected final Storage openAnother() {
    Storage s = open();
    opened.add(s);
    return s;
  }

  @BeforeAll
  protected final void openStorage() {
    storage = openAnother();
  }

  @AfterEach
  protected final void dropNamespaces() {
    for (String name : created) {
      try {
        storage.namespaces().drop(name);
      } catch (SyncException e) {
        // Already dropped by the test, or the storage is broken: the test reports that.
      }
    }
    created.clear();
  }

  @AfterAll
  protected final void closeStorages() {
    for (Storage s : opened) {
      s.close();
    }
    opened.clear();
  }

  /** The storage opened for this kit class. */
  protected final Storage storage() {
    return storage;
  }

  /** A random namespace name that no other test or run uses. */
  protected static String randomName() {
    return "tck-" + UUID.randomUUID().toString().substring(0, 13);
  }

  /** Creates a fresh, empty namespace that is dropped after the test. */
  protected final String newNamespace() {
    String name = randomName();
    storage.namespaces().create(name, Map.of());
    created.add(name);
    return name;
  }

  /** Remembers a namespace the test created itself, so it is dropped after the test. */
  protected final void dropAfterTest(String name) {
    created.add(name);
  }

  /** The state bytes the kit writes for {@code id} at {@code rev}: distinct per write. */
  protected static byte[] state(String id, String rev) {
    return (id + "@" + rev).getBytes(StandardCharsets.UTF_8);
  }

  /** A body queries see: {@code {"id": id, "rev": rev}}. */
  protected static JsonValue.JsonObject body(String id, String rev) {
    return new JsonValue.JsonObject(
        Map.of("id", new JsonValue.JsonString(id), "rev", new JsonValue.JsonString(rev)));
  }

  /** A live document write of {@code id} at {@code rev}, replacing the state at {@code expectedSeq}. */
  protected static WriteItem item(String id, String rev, long expectedSeq) {
    return new WriteItem(id, rev, false, state(id, rev), expectedSeq, Optional.of(body(id, rev)));
  }

  /** A deletion (tombstone) of {@code id} at {@code rev}. */
  protected static WriteItem tombstone(String id, String rev, long expectedSeq) {
    return new WriteItem(id, rev, true, state(id, rev), expectedSeq, Optional.empty());
  }

  /** Writes one item and asserts it was written. */
  protected final WriteResult.Written writeOne(String namespace, WriteItem item) {
    List<WriteResult> results = storage.documents().write(namespace, List.of(item));
    assertThat(results).hasSize(1);
    assertThat(results.get(0))
        .as("result of writing %s at expectedSeq %d", item.id(), item.expectedSeq())
        .isInstanceOf(WriteResult.Written.class);
    return (WriteResult.Written) results.get(0);
  }

  /** Creates each id at rev {@code 1-a} in one batch, asserting each was written. */
  protected final List<WriteResult.Written> createAll(String namespace, List<String> ids) {
    List<WriteItem> items = new ArrayList<>();
    for (String id : ids) {
      items.add(item(id, "1-a", 0));
    }
    List<WriteResult> results = storage.documents().write(namespace, items);
    assertThat(results).hasSize(ids.size());
    List<WriteResult.Written> written = new ArrayList<>();
    for (WriteResult r : results) {
      assertThat(r).as("result for %s", r.id()).isInstanceOf(WriteResult.Written.class);
      written.add((WriteResult.Written) r);
    }
    return written;
  }

  /** The stored document, asserting it exists. */
  protected final StoredDocument stored(String namespace, String id) {
    Optional<StoredDocument> doc = storage.documents().get(namespace, id);
    assertThat(doc).as("stored document %s", id).isPresent();
    return doc.get();
  }

  /** Asserts that {@code call} throws a {@link SyncException} with {@code code}, and returns it. */
  protected static SyncException assertError(ErrorCode code, ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown)
        .as("expected SyncException %s", code.code())
        .isInstanceOf(SyncException.class);
    SyncException e = (SyncException) thrown;
    assertThat(e.errorCode().code())
        .as("error code of: %s", e.getMessage())
        .isEqualTo(code.code());
    return e;
  }

  /** Asserts that {@code doc} holds exactly what {@code item} wrote. */
  protected static void assertHolds(StoredDocument doc, WriteItem item) {
    assertThat(doc.id()).isEqualTo(item.id());
    assertThat(doc.winningRev()).as("winningRev of %s", item.id()).isEqualTo(item.winningRev());
    assertThat(doc.deleted()).as("deleted of %s", item.id()).isEqualTo(item.deleted());
    assertThat(doc.state()).as("state of %s", item.id()).isEqualTo(item.state());
  }
}
