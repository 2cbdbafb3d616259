package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.ChangesRange;
import io.polysync.spi.KeyRange;
import io.polysync.spi.Names;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.StorageError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Namespaces: create with metadata, read with counters, list in code point order with paging,
 * metadata updates, and drop with everything inside, after which the same name starts empty.
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
public abstract class NamespacesTck extends StorageTck {

  @Test
  protected void create_new_emptyWithMetadata() {
    String name = randomName();
    NamespaceInfo info = storage().namespaces().create(name, Map.of("k", "v", "empty", ""));
    dropAfterTest(name);
    assertThat(info.name()).isEqualTo(name);
    assertThat(info.metadata()).isEqualTo(Map.of("k", "v", "empty", ""));
    assertThat(info.lastSeq()).isZero();
    assertThat(info.documentCount()).isZero();
    assertThat(info.deletedCount()).isZero();
    assertThat(storage().namespaces().get(name)).contains(info);
  }

  @Test
  protected void create_existing_namespaceExistsAndUnchanged() {
    String name = randomName();
    storage().namespaces().create(name, Map.of("k", "v"));
    dropAfterTest(name);
    writeOne(name, item("doc", "1-a", 0));
    assertError(StorageError.NAMESPACE_EXISTS, () -> storage().namespaces().create(name, Map.of()));
    NamespaceInfo info = storage().namespaces().get(name).orElseThrow();
    assertThat(info.metadata()).isEqualTo(Map.of("k", "v"));
    assertThat(info.documentCount()).isEqualTo(1);
  }

  @Test
  protected void create_invalidNames_invalidNamespaceName() {
    List<String> bad =
        List.of("", "x".repeat(Names.MAX_NAMESPACE_BYTES + 1), "nul\u0000", "lone\uD800", "\uDC00x");
    for (String name : bad) {
      assertError(
          StorageError.INVALID_NAMESPACE_NAME, () -> storage().namespaces().create(name, Map.of()));
    }
  }

  @Test
  protected void create_oddNames_storedExactly() {
    String base = randomName();
    List<String> names =
        List.of(
            base + "/with/slashes",
            base + " space%20'quote\"",
            base + "-\u00e9\u4e2d\uD83D\uDE00",
            (base + "-max-").concat("y".repeat(Names.MAX_NAMESPACE_BYTES - base.length() - 5)));
    for (String name : names) {
      storage().namespaces().create(name, Map.of());
      dropAfterTest(name);
      writeOne(name, item("doc", "1-a", 0));
      assertThat(storage().namespaces().get(name).orElseThrow().name()).isEqualTo(name);
      assertThat(stored(name, "doc").id()).isEqualTo("doc");
    }
  }

  @Test
  protected void get_unknown_empty() {
    assertThat(storage().namespaces().get(randomName())).isEmpty();
  }

  @Test
  protected void list_afterNameAndLimit_codePointOrderPaged() {
    String base = randomName();
    List<String> names =
        new ArrayList<>(
            List.of(base + "/b", base + "/a", base + "/B", base + "/\uE000", base + "/\uD83D\uDE00",
                base + "/a/b", base + "/\u00e9"));
    for (String name : names) {
      storage().namespaces().create(name, Map.of("n", name));
      dropAfterTest(name);
    }
    names.sort(Names::compare);
    List<String> listed = new ArrayList<>();
    String after = base;
    outer:
    while (true) {
      List<NamespaceInfo> page = storage().namespaces().list(after, 3);
      assertThat(page.size()).isLessThanOrEqualTo(3);
      for (NamespaceInfo info : page) {
        assertThat(Names.compare(info.name(), after)).isPositive();
        if (!info.name().startsWith(base + "/")) {
          break outer;
        }
        assertThat(info.metadata()).isEqualTo(Map.of("n", info.name()));
        listed.add(info.name());
        after = info.name();
      }
      if (page.size() < 3) {
        break;
      }
    }
    assertThat(listed).containsExactlyElementsOf(names);
  }

  @Test
  protected void list_fromStart_includesCreated() {
    String name = newNamespace();
    List<String> all = new ArrayList<>();
    String after = "";
    while (true) {
      List<NamespaceInfo> page = storage().namespaces().list(after, 100);
      page.forEach(i -> all.add(i.name()));
      if (page.size() < 100) {
        break;
      }
      after = page.getLast().name();
    }
    assertThat(all).contains(name).doesNotHaveDuplicates();
    assertThat(all).isSortedAccordingTo(Names::compare);
  }

  @Test
  protected void putMetadata_setReplaceAndRemove() {
    String ns = newNamespace();
    assertThat(storage().namespaces().putMetadata(ns, "a", "1").metadata()).isEqualTo(Map.of("a", "1"));
    assertThat(storage().namespaces().putMetadata(ns, "b", "\u00e9\uD83D\uDE00").metadata())
        .isEqualTo(Map.of("a", "1", "b", "\u00e9\uD83D\uDE00"));
    assertThat(storage().namespaces().putMetadata(ns, "a", "2").metadata())
        .isEqualTo(Map.of("a", "2", "b", "\u00e9\uD83D\uDE00"));
    assertThat(storage().namespaces().putMetadata(ns, "a", null).metadata())
        .isEqualTo(Map.of("b", "\u00e9\uD83D\uDE00"));
    assertThat(storage().namespaces().putMetadata(ns, "never", null).metadata())
        .isEqualTo(Map.of("b", "\u00e9\uD83D\uDE00"));
    assertThat(storage().namespaces().get(ns).orElseThrow().metadata())
        .isEqualTo(Map.of("b", "\u00e9\uD83D\uDE00"));
  }

  @Test
  protected void putMetadata_keepsCounters() {
    String ns = newNamespace();
    writeOne(ns, item("doc", "1-a", 0));
    NamespaceInfo before = storage().namespaces().get(ns).orElseThrow();
    NamespaceInfo after = storage().namespaces().putMetadata(ns, "k", "v");
    assertThat(after.lastSeq()).isEqualTo(before.lastSeq());
    assertThat(after.lastTimestamp()).isEqualTo(before.lastTimestamp());
    assertThat(after.documentCount()).isEqualTo(1);
  }

  @Test
  protected void drop_thenRecreate_startsEmptyAtSeqZero() {
    String name = randomName();
    storage().namespaces().create(name, Map.of("old", "yes"));
    dropAfterTest(name);
    createAll(name, List.of("a", "b"));
    storage().locals().put(name, "local", new byte[] {1}, 0);
    storage().blobs().put(name, "blob", new byte[] {1});

    storage().namespaces().drop(name);
    assertThat(storage().namespaces().get(name)).isEmpty();
    assertError(StorageError.NAMESPACE_NOT_FOUND, () -> storage().documents().get(name, "a"));

    NamespaceInfo fresh = storage().namespaces().create(name, Map.of());
    assertThat(fresh.lastSeq()).isZero();
    assertThat(fresh.metadata()).isEmpty();
    assertThat(fresh.documentCount()).isZero();
    assertThat(storage().documents().get(name, "a")).isEmpty();
    assertThat(storage().documents().range(name, KeyRange.all(10))).isEmpty();
    assertThat(storage().documents().changes(name, ChangesRange.after(0, 10))).isEmpty();
    assertThat(storage().locals().get(name, "local")).isEmpty();
    assertThat(storage().blobs().get(name, "blob")).isEmpty();
    assertThat(writeOne(name, item("a", "1-a", 0)).seq()).isPositive();
  }

  @Test
  protected void drop_leavesOtherNamespacesAlone() {
    String kept = newNamespace();
    String dropped = newNamespace();
    writeOne(kept, item("doc", "1-a", 0));
    storage().blobs().put(kept, "blob", new byte[] {7});
    writeOne(dropped, item("doc", "1-a", 0));
    storage().blobs().put(dropped, "blob", new byte[] {8});
    storage().namespaces().drop(dropped);
    assertThat(stored(kept, "doc").id()).isEqualTo("doc");
    assertThat(storage().blobs().get(kept, "blob")).hasValueSatisfying(b -> assertThat(b).containsExactly(7));
  }

  @Test
  protected void drop_unknown_namespaceNotFound() {
    assertError(StorageError.NAMESPACE_NOT_FOUND, () -> storage().namespaces().drop(randomName()));
  }

  @Test
  protected void putMetadata_unknown_namespaceNotFound() {
    assertError(
        StorageError.NAMESPACE_NOT_FOUND,
        () -> storage().namespaces().putMetadata(randomName(), "k", "v"));
  }

  @Test
  protected void metadata_manyEntries_roundTrip() {
    Map<String, String> metadata = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      metadata.put("key." + i, "value \"" + i + "\" \u00e9");
    }
    String name = randomName();
    storage().namespaces().create(name, metadata);
    dropAfterTest(name);
    assertThat(storage().namespaces().get(name).orElseThrow().metadata()).isEqualTo(metadata);
  }
}
