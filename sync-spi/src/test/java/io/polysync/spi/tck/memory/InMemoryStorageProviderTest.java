package io.polysync.spi.tck.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.spi.Capability;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.JsonValue;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Query;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.Storages;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What is particular to the memory adapter; the compliance kit covers the SPI contract. */
final class InMemoryStorageProviderTest {

  @Test
  void open_sameName_sharesOneDatabase() {
    try (Storage a = Storages.open(StorageConfig.of("memory:provider-shared"));
        Storage b = Storages.open(StorageConfig.of("memory:provider-shared"))) {
      a.namespaces().create("n", Map.of());
      List<WriteResult> results =
          a.documents()
              .write("n", List.of(new WriteItem("d", "1-a", false, new byte[] {1}, 0, Optional.empty())));
      assertThat(results).singleElement().isInstanceOf(WriteResult.Written.class);
      assertThat(b.documents().changes("n", ChangesRange.after(0, 10)))
          .extracting(d -> d.id())
          .containsExactly("d");
    } finally {
      InMemoryStorageProvider.discard("provider-shared");
    }
  }

  @Test
  void open_differentNames_areIndependent() {
    try (Storage a = Storages.open(StorageConfig.of("memory:provider-one"));
        Storage b = Storages.open(StorageConfig.of("memory:provider-two"))) {
      a.namespaces().create("n", Map.of());
      assertThat(b.namespaces().get("n")).isEmpty();
    } finally {
      InMemoryStorageProvider.discard("provider-one");
    }
  }

  @Test
  void discard_thenOpen_startsEmpty() {
    try (Storage a = Storages.open(StorageConfig.of("memory:provider-discard"))) {
      a.namespaces().create("n", Map.of());
    }
    InMemoryStorageProvider.discard("provider-discard");
    try (Storage b = Storages.open(StorageConfig.of("memory:provider-discard"))) {
      assertThat(b.namespaces().get("n")).isEmpty();
    }
  }

  @Test
  void open_emptyName_isInvalidConfiguration() {
    assertThatThrownBy(() -> Storages.open(StorageConfig.of("memory:")))
        .isInstanceOfSatisfying(
            SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION));
  }

  @Test
  void close_thenCall_isUnavailable() {
    Storage s = Storages.open(StorageConfig.of("memory:provider-closed"));
    s.close();
    s.close();
    assertThatThrownBy(() -> s.namespaces().list("", 1))
        .isInstanceOfSatisfying(
            SyncException.class, e -> assertThat(e.errorCode()).isEqualTo(StorageError.UNAVAILABLE));
  }

  @Test
  void open_journaled_replaysEveryCommittedChange() {
    StorageConfig config = InMemoryStorageTest.journaled(true);
    JsonValue.JsonObject body =
        new JsonValue.JsonObject(
            Map.of("s", new JsonValue.JsonString("\uD83D\uDE00 lone \uD800"), "n", JsonValue.JsonNumber.of(1.5),
                "a", new JsonValue.JsonArray(List.of(JsonValue.JsonNull.INSTANCE, JsonValue.JsonBoolean.TRUE))));
    NamespaceInfo before;
    try (Storage s = Storages.open(config)) {
      assertThat(s.capabilities().has(Capability.MULTI_PROCESS)).isFalse();
      s.namespaces().create("n", Map.of("k", "v"));
      s.namespaces().create("gone", Map.of());
      s.namespaces().drop("gone");
      s.namespaces().putMetadata("n", "k", null);
      s.namespaces().putMetadata("n", "x", "y");
      WriteResult.Written a = (WriteResult.Written) s.documents()
          .write("n", List.of(new WriteItem("a", "1-a", false, new byte[] {1}, 0, Optional.of(body)),
              new WriteItem("b", "1-b", false, new byte[] {2}, 0, Optional.empty()))).get(0);
      s.documents().write("n", List.of(new WriteItem("a", "2-a", true, new byte[] {3}, a.seq(), Optional.empty())));
      s.locals().put("n", "kept", new byte[] {4}, 0);
      s.locals().put("n", "removed", new byte[] {5}, 0);
      s.locals().delete("n", "removed", 1);
      s.blobs().put("n", "kept", new byte[] {6});
      s.blobs().put("n", "removed", new byte[] {7});
      s.blobs().delete("n", "removed");
      before = s.namespaces().get("n").orElseThrow();
    }
    try (Storage s = Storages.open(config)) {
      assertThat(s.namespaces().get("n")).contains(before);
      assertThat(s.namespaces().get("gone")).isEmpty();
      assertThat(s.documents().get("n", "a").orElseThrow().deleted()).isTrue();
      assertThat(s.documents().get("n", "b").orElseThrow().state()).containsExactly(2);
      var hits = s.queries().query("n", new Query(new Query.Filter.Compare(Query.Field.body("n"), Query.Op.EQ,
          JsonValue.JsonNumber.of(1.5)), List.of(), Optional.empty(), 10, true)).orElseThrow();
      assertThat(hits).isEmpty();
      assertThat(s.locals().get("n", "kept").orElseThrow().version()).isEqualTo(1);
      assertThat(s.locals().get("n", "removed")).isEmpty();
      assertThat(s.blobs().get("n", "kept")).isPresent();
      assertThat(s.blobs().get("n", "removed")).isEmpty();
      WriteResult.Written next = (WriteResult.Written) s.documents()
          .write("n", List.of(new WriteItem("c", "1-c", false, new byte[0], 0, Optional.of(body)))).get(0);
      assertThat(next.seq()).isGreaterThan(before.lastSeq());
      assertThat(next.timestamp()).isGreaterThan(before.lastTimestamp());
    }
    try (Storage s = Storages.open(config)) {
      var hits = s.queries().query("n", new Query(new Query.Filter.Compare(Query.Field.body("s"), Query.Op.EQ,
          new JsonValue.JsonString("\uD83D\uDE00 lone \uD800")), List.of(), Optional.empty(), 10, false)).orElseThrow();
      assertThat(hits).extracting(d -> d.id()).containsExactly("c");
    }
  }
}
