package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.polysync.spi.Capability;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.KeyRange;
import io.polysync.spi.Names;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Query;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Bad input gets a typed error and never a corrupted store (invariant 5): malformed ids, unknown or
 * dropped namespaces on every operation, and a closed storage.
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
public abstract class BadInputTck extends StorageTck {

  /** Ids {@link Names#checkId} refuses. */
  protected static final List<String> INVALID_IDS =
      List.of(
          "",
          "x".repeat(Names.MAX_ID_BYTES + 1),
          "\u00e9".repeat(Names.MAX_ID_BYTES / 2) + "x",
          "nul\u0000inside",
          "lone high \uD800",
          "lone low \uDC00 first",
          "\uDBFF");

  @Test
  protected void writeItem_invalidIds_invalidId() {
    for (String id : INVALID_IDS) {
      assertError(
          StorageError.INVALID_ID,
          () -> new WriteItem(id, "1-a", false, new byte[0], 0, Optional.empty()));
    }
  }

  @Test
  protected void localsPut_invalidIds_invalidIdNothingStored() {
    String ns = newNamespace();
    for (String id : INVALID_IDS) {
      assertError(StorageError.INVALID_ID, () -> storage().locals().put(ns, id, new byte[] {1}, 0));
    }
    writeOne(ns, item("still-fine", "1-a", 0));
    assertThat(storage().namespaces().get(ns).orElseThrow().documentCount()).isEqualTo(1);
  }

  @Test
  protected void reads_invalidIds_invalidIdOrNothing() {
    String ns = newNamespace();
    writeOne(ns, item("x", "1-a", 0));
    for (String id : INVALID_IDS) {
      assertTypedOrEmpty(StorageError.INVALID_ID, () -> storage().documents().get(ns, id));
      assertTypedOrEmpty(StorageError.INVALID_ID, () -> storage().documents().getAll(ns, List.of(id)));
      assertTypedOrEmpty(StorageError.INVALID_ID, () -> storage().locals().get(ns, id));
    }
  }

  /** A read of an id that cannot exist may say so with a typed error or with an empty answer. */
  private static void assertTypedOrEmpty(StorageError code, java.util.concurrent.Callable<?> read) {
    Object[] result = new Object[1];
    Throwable thrown = catchThrowable(() -> result[0] = read.call());
    if (thrown != null) {
      assertThat(thrown).isInstanceOf(SyncException.class);
      assertThat(((SyncException) thrown).errorCode().code()).isEqualTo(code.code());
    } else if (result[0] instanceof Optional<?> o) {
      assertThat(o).isEmpty();
    } else {
      assertThat((List<?>) result[0]).isEmpty();
    }
  }

  @Test
  protected void blobs_invalidKeys_invalidArgument() {
    String ns = newNamespace();
    for (String key : List.of("", "k".repeat(Names.MAX_BLOB_KEY_BYTES + 1), "nul\u0000", "\uD800")) {
      assertError(StorageError.INVALID_ARGUMENT, () -> storage().blobs().put(ns, key, new byte[] {1}));
    }
  }

  @TestFactory
  protected Stream<DynamicTest> everyOperation_unknownNamespace_namespaceNotFound() {
    return notFoundCases(randomName());
  }

  @TestFactory
  protected Stream<DynamicTest> everyOperation_droppedNamespace_namespaceNotFound() {
    String ns = randomName();
    storage().namespaces().create(ns, Map.of());
    writeOne(ns, item("doc", "1-a", 0));
    storage().locals().put(ns, "cp", new byte[] {1}, 0);
    storage().blobs().put(ns, "blob", new byte[] {1});
    storage().namespaces().drop(ns);
    return notFoundCases(ns);
  }

  private Stream<DynamicTest> notFoundCases(String ns) {
    List<DynamicTest> cases = new ArrayList<>();
    cases.add(notFound("documents.get", () -> storage().documents().get(ns, "doc")));
    cases.add(notFound("documents.getAll", () -> storage().documents().getAll(ns, List.of("doc"))));
    cases.add(notFound("documents.range", () -> storage().documents().range(ns, KeyRange.all(10))));
    cases.add(
        notFound("documents.changes", () -> storage().documents().changes(ns, ChangesRange.after(0, 10))));
    cases.add(
        notFound("documents.write", () -> storage().documents().write(ns, List.of(item("doc", "1-a", 0)))));
    cases.add(notFound("locals.get", () -> storage().locals().get(ns, "cp")));
    cases.add(notFound("locals.put", () -> storage().locals().put(ns, "cp", new byte[] {1}, 0)));
    cases.add(notFound("locals.delete", () -> storage().locals().delete(ns, "cp", 1)));
    cases.add(notFound("blobs.put", () -> storage().blobs().put(ns, "blob", new byte[] {1})));
    cases.add(notFound("blobs.get", () -> storage().blobs().get(ns, "blob")));
    cases.add(notFound("blobs.delete", () -> storage().blobs().delete(ns, "blob")));
    cases.add(notFound("namespaces.putMetadata", () -> storage().namespaces().putMetadata(ns, "k", "v")));
    cases.add(notFound("namespaces.drop", () -> storage().namespaces().drop(ns)));
    if (storage().capabilities().has(Capability.QUERY_PUSHDOWN)) {
      cases.add(
          notFound(
              "queries.query",
              () -> storage().queries().query(ns, new Query(Query.Filter.all(), List.of(), Optional.empty(), 10, false))));
    }
    cases.add(
        DynamicTest.dynamicTest(
            "namespaces.get", () -> assertThat(storage().namespaces().get(ns)).isEmpty()));
    cases.add(
        DynamicTest.dynamicTest(
            "namespaces.list",
            () ->
                assertThat(storage().namespaces().list("", Integer.MAX_VALUE))
                    .extracting(NamespaceInfo::name)
                    .doesNotContain(ns)));
    return cases.stream();
  }

  private static DynamicTest notFound(String operation, ThrowingCallable call) {
    return DynamicTest.dynamicTest(
        operation, () -> assertError(StorageError.NAMESPACE_NOT_FOUND, call));
  }

  @Test
  protected void closedStorage_everyCall_unavailable() {
    String ns = newNamespace();
    var closed = open();
    closed.close();
    closed.close();
    assertError(StorageError.UNAVAILABLE, () -> closed.namespaces().get(ns));
    assertError(StorageError.UNAVAILABLE, () -> closed.documents().get(ns, "doc"));
    assertError(StorageError.UNAVAILABLE, () -> closed.documents().write(ns, List.of(item("doc", "1-a", 0))));
    assertError(StorageError.UNAVAILABLE, () -> closed.locals().get(ns, "cp"));
    assertError(StorageError.UNAVAILABLE, () -> closed.blobs().get(ns, "blob"));
    assertThat(storage().documents().get(ns, "doc")).as("the other storage is unaffected").isEmpty();
  }
}
