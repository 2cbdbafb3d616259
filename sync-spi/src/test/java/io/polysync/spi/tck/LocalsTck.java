package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.Capability;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.StorageError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Local documents (checkpoints): versioned compare-and-set puts and deletes, outside the changes
 * feed and the sequence.
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
public abstract class LocalsTck extends StorageTck {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  protected void put_new_versionOneAndReadable() {
    String ns = newNamespace();
    assertThat(storage().locals().put(ns, "cp", bytes("one"), 0)).isEqualTo(1);
    LocalDocument doc = storage().locals().get(ns, "cp").orElseThrow();
    assertThat(doc.id()).isEqualTo("cp");
    assertThat(doc.version()).isEqualTo(1);
    assertThat(doc.body()).isEqualTo(bytes("one"));
  }

  @Test
  protected void put_matchingVersion_incrementsAndReplaces() {
    String ns = newNamespace();
    long v1 = storage().locals().put(ns, "cp", bytes("one"), 0);
    long v2 = storage().locals().put(ns, "cp", bytes("two"), v1);
    assertThat(v2).isEqualTo(v1 + 1);
    LocalDocument doc = storage().locals().get(ns, "cp").orElseThrow();
    assertThat(doc.version()).isEqualTo(v2);
    assertThat(doc.body()).isEqualTo(bytes("two"));
  }

  @Test
  protected void put_staleVersion_localConflictChangesNothing() {
    String ns = newNamespace();
    long v1 = storage().locals().put(ns, "cp", bytes("one"), 0);
    long v2 = storage().locals().put(ns, "cp", bytes("two"), v1);
    assertError(StorageError.LOCAL_CONFLICT, () -> storage().locals().put(ns, "cp", bytes("stale"), v1));
    assertError(StorageError.LOCAL_CONFLICT, () -> storage().locals().put(ns, "cp", bytes("new"), 0));
    assertError(
        StorageError.LOCAL_CONFLICT, () -> storage().locals().put(ns, "cp", bytes("ahead"), v2 + 1));
    LocalDocument doc = storage().locals().get(ns, "cp").orElseThrow();
    assertThat(doc.version()).isEqualTo(v2);
    assertThat(doc.body()).isEqualTo(bytes("two"));
  }

  @Test
  protected void put_versionForAbsent_localConflict() {
    String ns = newNamespace();
    assertError(StorageError.LOCAL_CONFLICT, () -> storage().locals().put(ns, "cp", bytes("x"), 1));
    assertThat(storage().locals().get(ns, "cp")).isEmpty();
  }

  @Test
  protected void delete_matchingVersion_removes() {
    String ns = newNamespace();
    long v1 = storage().locals().put(ns, "cp", bytes("one"), 0);
    storage().locals().delete(ns, "cp", v1);
    assertThat(storage().locals().get(ns, "cp")).isEmpty();
    assertThat(storage().locals().put(ns, "cp", bytes("again"), 0)).isPositive();
  }

  @Test
  protected void delete_staleVersion_localConflictKeepsDocument() {
    String ns = newNamespace();
    long v1 = storage().locals().put(ns, "cp", bytes("one"), 0);
    long v2 = storage().locals().put(ns, "cp", bytes("two"), v1);
    assertError(StorageError.LOCAL_CONFLICT, () -> storage().locals().delete(ns, "cp", v1));
    assertThat(storage().locals().get(ns, "cp").orElseThrow().version()).isEqualTo(v2);
  }

  @Test
  protected void delete_absent_localConflict() {
    String ns = newNamespace();
    assertError(StorageError.LOCAL_CONFLICT, () -> storage().locals().delete(ns, "nothing", 1));
  }

  @Test
  protected void get_unknown_empty() {
    String ns = newNamespace();
    assertThat(storage().locals().get(ns, "nothing")).isEmpty();
  }

  @Test
  protected void put_sameIdAsDocument_separateFromDocuments() {
    String ns = newNamespace();
    writeOne(ns, item("shared", "1-a", 0));
    long lastSeq = storage().namespaces().get(ns).orElseThrow().lastSeq();
    storage().locals().put(ns, "shared", bytes("local"), 0);
    storage().locals().put(ns, "other", bytes("local"), 0);
    assertHolds(stored(ns, "shared"), item("shared", "1-a", 0));
    assertThat(storage().documents().get(ns, "other")).isEmpty();
    assertThat(storage().documents().changes(ns, ChangesRange.after(0, 10))).hasSize(1);
    assertThat(storage().namespaces().get(ns).orElseThrow().lastSeq()).isEqualTo(lastSeq);
  }

  @Test
  protected void put_oddIds_storedExactly() {
    String ns = newNamespace();
    for (String id : DocumentsTck.ODD_IDS) {
      storage().locals().put(ns, id, bytes(id), 0);
    }
    for (String id : DocumentsTck.ODD_IDS) {
      assertThat(storage().locals().get(ns, id).orElseThrow().body()).isEqualTo(bytes(id));
    }
  }

  @Test
  protected void put_binaryAndEmptyBodies_storedByteForByte() {
    String ns = newNamespace();
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    storage().locals().put(ns, "bin", all, 0);
    storage().locals().put(ns, "empty", new byte[0], 0);
    assertThat(storage().locals().get(ns, "bin").orElseThrow().body()).isEqualTo(all);
    assertThat(storage().locals().get(ns, "empty").orElseThrow().body()).isEmpty();
  }

  @Test
  protected void put_bodyAboveMaxValueBytes_valueTooLargeChangesNothing() {
    long max = storage().capabilities().maxValueBytes();
    requireTestableValueLimit(max);
    String ns = newNamespace();
    long v1 = storage().locals().put(ns, "cp", bytes("small"), 0);
    assertError(
        StorageError.VALUE_TOO_LARGE,
        () -> storage().locals().put(ns, "cp", new byte[(int) max + 1], v1));
    assertError(
        StorageError.VALUE_TOO_LARGE,
        () -> storage().locals().put(ns, "fresh", new byte[(int) max + 1], 0));
    LocalDocument doc = storage().locals().get(ns, "cp").orElseThrow();
    assertThat(doc.version()).isEqualTo(v1);
    assertThat(doc.body()).isEqualTo(bytes("small"));
    assertThat(storage().locals().get(ns, "fresh")).isEmpty();
  }

  private boolean listing() {
    return storage().capabilities().has(Capability.LOCAL_LISTING);
  }

  /** Listing works when the capability is declared, and is refused as unsupported when it is not. */
  @Test
  protected void list_asTheCapabilitySays() {
    String ns = newNamespace();
    if (listing()) {
      storage().locals().put(ns, "only", bytes("body"), 0);
      assertThat(storage().locals().list(ns, "", 10)).extracting(LocalDocument::id).containsExactly("only");
    } else {
      assertError(StorageError.UNSUPPORTED_CAPABILITY, () -> storage().locals().list(ns, "", 10));
    }
  }

  @Test
  protected void list_inIdOrder_afterAndLimit() {
    org.junit.jupiter.api.Assumptions.assumeTrue(listing(), "LOCAL_LISTING is not declared");
    String ns = newNamespace();
    // Code point order: U+E000 sorts before U+1F600, though its UTF-16 form sorts after.
    for (String id : java.util.List.of("b", "a", "\uD83D\uDE00", "\uE000", "a/b", "c")) {
      storage().locals().put(ns, id, bytes("body of " + id), 0);
    }
    storage().locals().put(ns, "c", bytes("second"), 1);
    storage().locals().delete(ns, "b", 1);
    var first = storage().locals().list(ns, "", 2);
    assertThat(first).extracting(LocalDocument::id).containsExactly("a", "a/b");
    assertThat(first.get(0).body()).isEqualTo(bytes("body of a"));
    var rest = storage().locals().list(ns, "a/b", 10);
    assertThat(rest).extracting(LocalDocument::id).containsExactly("c", "\uE000", "\uD83D\uDE00");
    assertThat(rest.get(0).version()).isEqualTo(2);
    assertThat(rest.get(0).body()).isEqualTo(bytes("second"));
    assertThat(storage().locals().list(ns, "\uD83D\uDE00", 10)).isEmpty();
  }

  @Test
  protected void list_unknownNamespace_namespaceNotFound() {
    org.junit.jupiter.api.Assumptions.assumeTrue(listing(), "LOCAL_LISTING is not declared");
    assertError(StorageError.NAMESPACE_NOT_FOUND, () -> storage().locals().list("never-created", "", 10));
  }
}
