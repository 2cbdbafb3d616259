package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.KeyRange;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Documents: conditional batch writes (invariant 2: a compare-and-set that lost changes nothing,
 * each item gets its own result), reads by id, and id ranges in Unicode code point order with
 * every id the SPI allows stored exactly (invariant 5).
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
public abstract class DocumentsTck extends StorageTck {

  /** Ids that stress escaping, collation and length limits; all legal by {@link Names}. */
  protected static final List<String> ODD_IDS =
      List.of(
          "with space",
          " leading and trailing ",
          "a/b/c",
          "_design/x",
          "_local/not-local",
          "quote\"s and 'apostrophes'",
          "back\\slash",
          "per%20cent%",
          "semi;colon,comma?query=1&x#hash",
          "tab\tnewline\nreturn\r",
          "control\u0001\u001f",
          "emoji \uD83D\uDE00 and \uD83C\uDF89",
          "\uD834\uDD1E",
          "\u00e9t\u00e9",
          "\u4e2d\u6587",
          "\uFFFD\uFEFF",
          "\uE000",
          "x".repeat(Names.MAX_ID_BYTES),
          "\u00e9".repeat(Names.MAX_ID_BYTES / 2),
          "\uD83D\uDE00".repeat(Names.MAX_ID_BYTES / 4),
          "DROP TABLE documents; --",
          "$where",
          "{\"json\": true}");

  @Test
  protected void write_newDocument_getReturnsItExactly() {
    String ns = newNamespace();
    WriteItem item = item("doc", "1-a", 0);
    WriteResult.Written w = writeOne(ns, item);
    assertThat(w.id()).isEqualTo("doc");
    StoredDocument doc = stored(ns, "doc");
    assertHolds(doc, item);
    assertThat(doc.seq()).isEqualTo(w.seq());
    assertThat(doc.timestamp()).isEqualTo(w.timestamp());
  }

  @Test
  protected void write_binaryState_storedByteForByte() {
    String ns = newNamespace();
    byte[] all = new byte[512];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    writeOne(ns, new WriteItem("bin", "1-a", false, all, 0, Optional.empty()));
    assertThat(stored(ns, "bin").state()).isEqualTo(all);
    writeOne(ns, new WriteItem("empty", "1-a", false, new byte[0], 0, Optional.empty()));
    assertThat(stored(ns, "empty").state()).isEmpty();
  }

  @Test
  protected void write_expectedSeqMatches_replacesDocument() {
    String ns = newNamespace();
    WriteResult.Written first = writeOne(ns, item("doc", "1-a", 0));
    WriteItem second = item("doc", "2-b", first.seq());
    WriteResult.Written w = writeOne(ns, second);
    assertThat(w.seq()).isGreaterThan(first.seq());
    assertThat(w.timestamp()).isGreaterThan(first.timestamp());
    StoredDocument doc = stored(ns, "doc");
    assertHolds(doc, second);
    assertThat(doc.seq()).isEqualTo(w.seq());
  }

  @Test
  protected void write_staleExpectedSeq_conflictChangesNothing() {
    String ns = newNamespace();
    WriteResult.Written first = writeOne(ns, item("doc", "1-a", 0));
    WriteResult.Written second = writeOne(ns, item("doc", "2-b", first.seq()));
    long lastSeq = storage().namespaces().get(ns).orElseThrow().lastSeq();

    List<WriteResult> results =
        storage().documents().write(ns, List.of(item("doc", "2-stale", first.seq())));

    assertThat(results).containsExactly(new WriteResult.Conflict("doc", second.seq()));
    StoredDocument doc = stored(ns, "doc");
    assertHolds(doc, item("doc", "2-b", first.seq()));
    assertThat(doc.seq()).isEqualTo(second.seq());
    assertThat(storage().namespaces().get(ns).orElseThrow().lastSeq()).isEqualTo(lastSeq);
  }

  @Test
  protected void write_createOverExisting_conflictWithCurrentSeq() {
    String ns = newNamespace();
    WriteResult.Written first = writeOne(ns, item("doc", "1-a", 0));
    List<WriteResult> results = storage().documents().write(ns, List.of(item("doc", "1-z", 0)));
    assertThat(results).containsExactly(new WriteResult.Conflict("doc", first.seq()));
    assertHolds(stored(ns, "doc"), item("doc", "1-a", 0));
  }

  @Test
  protected void write_expectedSeqForAbsentDocument_conflictWithZero() {
    String ns = newNamespace();
    writeOne(ns, item("other", "1-a", 0));
    List<WriteResult> results = storage().documents().write(ns, List.of(item("doc", "2-a", 1)));
    assertThat(results).containsExactly(new WriteResult.Conflict("doc", 0));
    assertThat(storage().documents().get(ns, "doc")).isEmpty();
  }

  @Test
  protected void write_futureExpectedSeq_conflictChangesNothing() {
    String ns = newNamespace();
    WriteResult.Written first = writeOne(ns, item("doc", "1-a", 0));
    List<WriteResult> results =
        storage().documents().write(ns, List.of(item("doc", "2-b", first.seq() + 1000)));
    assertThat(results).containsExactly(new WriteResult.Conflict("doc", first.seq()));
    assertThat(stored(ns, "doc").seq()).isEqualTo(first.seq());
  }

  @Test
  protected void write_mixedBatch_resultPerItemInOrder() {
    String ns = newNamespace();
    WriteResult.Written existing = writeOne(ns, item("b", "1-a", 0));
    List<WriteItem> batch =
        List.of(
            item("a", "1-a", 0),
            item("b", "2-stale", existing.seq() + 7),
            item("c", "1-a", 0),
            item("b0", "1-a", 3));
    List<WriteResult> results = storage().documents().write(ns, batch);

    assertThat(results).extracting(WriteResult::id).containsExactly("a", "b", "c", "b0");
    assertThat(results.get(0)).isInstanceOf(WriteResult.Written.class);
    assertThat(results.get(1)).isEqualTo(new WriteResult.Conflict("b", existing.seq()));
    assertThat(results.get(2)).isInstanceOf(WriteResult.Written.class);
    assertThat(results.get(3)).isEqualTo(new WriteResult.Conflict("b0", 0));
    WriteResult.Written a = (WriteResult.Written) results.get(0);
    WriteResult.Written c = (WriteResult.Written) results.get(2);
    assertThat(c.seq()).as("seqs increase in item order").isGreaterThan(a.seq());
    assertThat(c.timestamp()).isGreaterThan(a.timestamp());
    assertHolds(stored(ns, "b"), item("b", "1-a", 0));
    assertThat(storage().documents().get(ns, "b0")).isEmpty();
  }

  @Test
  protected void write_batch_seqsAreConsecutiveAfterLastSeq() {
    String ns = newNamespace();
    writeOne(ns, item("first", "1-a", 0));
    long before = storage().namespaces().get(ns).orElseThrow().lastSeq();
    List<WriteResult.Written> written = createAll(ns, List.of("x", "y", "z"));
    assertThat(written.get(0).seq()).isGreaterThan(before);
    for (int i = 1; i < written.size(); i++) {
      assertThat(written.get(i).seq()).isGreaterThan(written.get(i - 1).seq());
      assertThat(written.get(i).timestamp()).isGreaterThan(written.get(i - 1).timestamp());
    }
    assertThat(storage().namespaces().get(ns).orElseThrow().lastSeq())
        .isEqualTo(written.get(2).seq());
  }

  @Test
  protected void write_emptyBatch_invalidBatch() {
    String ns = newNamespace();
    assertError(StorageError.INVALID_BATCH, () -> storage().documents().write(ns, List.of()));
    assertThat(storage().namespaces().get(ns).orElseThrow().lastSeq()).isZero();
  }

  @Test
  protected void write_sameIdTwiceInBatch_invalidBatchNothingWritten() {
    String ns = newNamespace();
    assertError(
        StorageError.INVALID_BATCH,
        () ->
            storage()
                .documents()
                .write(ns, List.of(item("a", "1-a", 0), item("b", "1-a", 0), item("a", "1-b", 0))));
    assertThat(storage().documents().get(ns, "a")).isEmpty();
    assertThat(storage().documents().get(ns, "b")).isEmpty();
    assertThat(storage().namespaces().get(ns).orElseThrow().lastSeq()).isZero();
  }

  @Test
  protected void write_batchLargerThanMaxBatchSize_invalidBatchNothingWritten() {
    int max = storage().capabilities().maxBatchSize();
    requireTestableBatchLimit(max);
    String ns = newNamespace();
    List<WriteItem> items = new ArrayList<>();
    for (int i = 0; i <= max; i++) {
      items.add(new WriteItem("d" + i, "1-a", false, new byte[1], 0, Optional.empty()));
    }
    assertError(StorageError.INVALID_BATCH, () -> storage().documents().write(ns, items));
    assertThat(storage().documents().get(ns, "d0")).isEmpty();
    assertThat(storage().namespaces().get(ns).orElseThrow().lastSeq()).isZero();
  }

  @Test
  protected void write_batchOfMaxBatchSize_allWritten() {
    int max = storage().capabilities().maxBatchSize();
    requireTestableBatchLimit(max);
    String ns = newNamespace();
    List<WriteItem> items = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      items.add(new WriteItem("d" + i, "1-a", false, new byte[1], 0, Optional.empty()));
    }
    List<WriteResult> results = storage().documents().write(ns, items);
    assertThat(results).hasSize(max).allMatch(r -> r instanceof WriteResult.Written);
    assertThat(storage().namespaces().get(ns).orElseThrow().documentCount()).isEqualTo(max);
  }

  @Test
  protected void write_stateAboveMaxValueBytes_rejectedValueTooLargeOthersWritten() {
    long max = storage().capabilities().maxValueBytes();
    requireTestableValueLimit(max);
    String ns = newNamespace();
    WriteResult.Written old = writeOne(ns, item("big", "1-a", 0));
    byte[] tooLarge = new byte[(int) max + 1];
    List<WriteResult> results =
        storage()
            .documents()
            .write(
                ns,
                List.of(
                    item("before", "1-a", 0),
                    new WriteItem("big", "2-b", false, tooLarge, old.seq(), Optional.empty()),
                    item("after", "1-a", 0)));
    assertThat(results).hasSize(3);
    assertThat(results.get(0)).isInstanceOf(WriteResult.Written.class);
    assertThat(results.get(1)).isInstanceOf(WriteResult.Rejected.class);
    assertThat(((WriteResult.Rejected) results.get(1)).error().errorCode().code())
        .isEqualTo(StorageError.VALUE_TOO_LARGE.code());
    assertThat(results.get(2)).isInstanceOf(WriteResult.Written.class);
    StoredDocument big = stored(ns, "big");
    assertHolds(big, item("big", "1-a", 0));
    assertThat(big.seq()).isEqualTo(old.seq());
  }

  @Test
  protected void write_stateOfMaxValueBytes_written() {
    long max = storage().capabilities().maxValueBytes();
    requireTestableValueLimit(max);
    String ns = newNamespace();
    byte[] atLimit = new byte[(int) max];
    atLimit[0] = 1;
    atLimit[atLimit.length - 1] = 2;
    writeOne(ns, new WriteItem("big", "1-a", false, atLimit, 0, Optional.empty()));
    assertThat(stored(ns, "big").state()).isEqualTo(atLimit);
  }

  @Test
  protected void write_tombstone_keptAndReadable() {
    String ns = newNamespace();
    WriteResult.Written w = writeOne(ns, item("doc", "1-a", 0));
    WriteItem del = tombstone("doc", "2-d", w.seq());
    writeOne(ns, del);
    assertHolds(stored(ns, "doc"), del);
    WriteItem back = item("doc", "3-r", stored(ns, "doc").seq());
    writeOne(ns, back);
    assertHolds(stored(ns, "doc"), back);
  }

  @Test
  protected void get_unknownId_empty() {
    String ns = newNamespace();
    writeOne(ns, item("known", "1-a", 0));
    assertThat(storage().documents().get(ns, "unknown")).isEmpty();
    assertThat(storage().documents().get(ns, "KNOWN")).as("ids are case-sensitive").isEmpty();
  }

  @Test
  protected void getAll_mixedIds_inRequestOrderSkippingUnknown() {
    String ns = newNamespace();
    createAll(ns, List.of("a", "b", "c"));
    List<StoredDocument> docs =
        storage().documents().getAll(ns, List.of("c", "missing", "a", "b"));
    assertThat(docs).extracting(StoredDocument::id).containsExactly("c", "a", "b");
    assertThat(storage().documents().getAll(ns, List.of())).isEmpty();
  }

  @Test
  protected void write_oddIds_storedAndReadExactly() {
    String ns = newNamespace();
    List<WriteResult.Written> written = createAll(ns, ODD_IDS);
    assertThat(written).extracting(WriteResult::id).containsExactlyElementsOf(ODD_IDS);
    for (String id : ODD_IDS) {
      assertHolds(stored(ns, id), item(id, "1-a", 0));
    }
    List<StoredDocument> all = storage().documents().range(ns, KeyRange.all(1000));
    List<String> expected = new ArrayList<>(ODD_IDS);
    expected.sort(Names::compare);
    assertThat(all).extracting(StoredDocument::id).containsExactlyElementsOf(expected);
    assertThat(storage().documents().getAll(ns, ODD_IDS))
        .extracting(StoredDocument::id)
        .containsExactlyElementsOf(ODD_IDS);
  }

  @Test
  protected void write_idsDifferingOnlyInCaseOrNormalization_areDistinct() {
    String ns = newNamespace();
    // e-acute precomposed and decomposed, and case variants: a binary collation keeps all apart.
    List<String> ids = List.of("abc", "ABC", "Abc", "\u00e9", "e\u0301", "a ", "a");
    createAll(ns, ids);
    assertThat(storage().documents().range(ns, KeyRange.all(100))).hasSize(ids.size());
    for (String id : ids) {
      assertThat(stored(ns, id).id()).isEqualTo(id);
    }
  }

  /** Ids whose UTF-16 order differs from their code point order, plus ASCII case. */
  private static final List<String> ORDER_IDS =
      List.of("B", "a", "b", "\u00e9", "\uE000", "\uFFFD", "\uD83D\uDE00", "\uD800\uDC00", "aa", "a b");

  private List<String> codePointSorted(List<String> ids) {
    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(Names::compare);
    return sorted;
  }

  @Test
  protected void range_all_codePointOrderNotUtf16Order() {
    String ns = newNamespace();
    createAll(ns, ORDER_IDS);
    List<String> expected = codePointSorted(ORDER_IDS);
    // The supplementary characters must sort after U+E000 and U+FFFD, unlike in UTF-16.
    assertThat(expected.indexOf("\uD83D\uDE00")).isGreaterThan(expected.indexOf("\uFFFD"));
    assertThat(storage().documents().range(ns, KeyRange.all(100)))
        .extracting(StoredDocument::id)
        .containsExactlyElementsOf(expected);
  }

  @Test
  protected void range_descending_reverseCodePointOrder() {
    String ns = newNamespace();
    createAll(ns, ORDER_IDS);
    List<String> expected = codePointSorted(ORDER_IDS).reversed();
    KeyRange range = new KeyRange(Optional.empty(), Optional.empty(), true, true, false, 100);
    assertThat(storage().documents().range(ns, range))
        .extracting(StoredDocument::id)
        .containsExactlyElementsOf(expected);
  }

  @Test
  protected void range_startAndEnd_inclusiveAndExclusiveEnd() {
    String ns = newNamespace();
    createAll(ns, List.of("a", "b", "c", "d", "e"));
    KeyRange inclusive = new KeyRange(Optional.of("b"), Optional.of("d"), true, false, false, 100);
    assertThat(storage().documents().range(ns, inclusive))
        .extracting(StoredDocument::id)
        .containsExactly("b", "c", "d");
    KeyRange exclusive = new KeyRange(Optional.of("b"), Optional.of("d"), false, false, false, 100);
    assertThat(storage().documents().range(ns, exclusive))
        .extracting(StoredDocument::id)
        .containsExactly("b", "c");
    KeyRange between = new KeyRange(Optional.of("bb"), Optional.of("cc"), true, false, false, 100);
    assertThat(storage().documents().range(ns, between))
        .extracting(StoredDocument::id)
        .containsExactly("c");
    KeyRange fromOnly = new KeyRange(Optional.of("c"), Optional.empty(), true, false, false, 100);
    assertThat(storage().documents().range(ns, fromOnly))
        .extracting(StoredDocument::id)
        .containsExactly("c", "d", "e");
    KeyRange toOnly = new KeyRange(Optional.empty(), Optional.of("b"), false, false, false, 100);
    assertThat(storage().documents().range(ns, toOnly))
        .extracting(StoredDocument::id)
        .containsExactly("a");
  }

  @Test
  protected void range_descendingWithBounds_startIsHighBound() {
    String ns = newNamespace();
    createAll(ns, List.of("a", "b", "c", "d", "e"));
    KeyRange inclusive = new KeyRange(Optional.of("d"), Optional.of("b"), true, true, false, 100);
    assertThat(storage().documents().range(ns, inclusive))
        .extracting(StoredDocument::id)
        .containsExactly("d", "c", "b");
    KeyRange exclusive = new KeyRange(Optional.of("d"), Optional.of("b"), false, true, false, 100);
    assertThat(storage().documents().range(ns, exclusive))
        .extracting(StoredDocument::id)
        .containsExactly("d", "c");
    KeyRange limited = new KeyRange(Optional.of("zz"), Optional.empty(), true, true, false, 2);
    assertThat(storage().documents().range(ns, limited))
        .extracting(StoredDocument::id)
        .containsExactly("e", "d");
  }

  @Test
  protected void range_limit_firstDocumentsOnly() {
    String ns = newNamespace();
    createAll(ns, List.of("e", "d", "c", "b", "a"));
    assertThat(storage().documents().range(ns, KeyRange.all(2)))
        .extracting(StoredDocument::id)
        .containsExactly("a", "b");
  }

  @Test
  protected void range_deletedDocuments_onlyWhenIncluded() {
    String ns = newNamespace();
    List<WriteResult.Written> w = createAll(ns, List.of("a", "b", "c", "d"));
    writeOne(ns, tombstone("b", "2-d", w.get(1).seq()));
    writeOne(ns, tombstone("c", "2-d", w.get(2).seq()));
    assertThat(storage().documents().range(ns, KeyRange.all(100)))
        .extracting(StoredDocument::id)
        .containsExactly("a", "d");
    KeyRange withDeleted = new KeyRange(Optional.empty(), Optional.empty(), true, false, true, 100);
    assertThat(storage().documents().range(ns, withDeleted))
        .extracting(StoredDocument::id, StoredDocument::deleted)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", false),
            org.assertj.core.groups.Tuple.tuple("b", true),
            org.assertj.core.groups.Tuple.tuple("c", true),
            org.assertj.core.groups.Tuple.tuple("d", false));
    // The limit counts returned documents, not the deleted ones skipped on the way.
    assertThat(storage().documents().range(ns, KeyRange.all(2)))
        .extracting(StoredDocument::id)
        .containsExactly("a", "d");
  }

  @Test
  protected void range_pagedByLastId_coversEveryDocumentOnce() {
    String ns = newNamespace();
    List<String> ids = new ArrayList<>(ODD_IDS);
    createAll(ns, ids);
    List<String> seen = new ArrayList<>();
    Optional<String> start = Optional.empty();
    while (true) {
      List<StoredDocument> page =
          storage().documents().range(ns, new KeyRange(start, Optional.empty(), true, false, false, 4));
      List<StoredDocument> fresh =
          start.isEmpty() ? page : page.stream().filter(d -> !d.id().equals(seen.getLast())).toList();
      fresh.forEach(d -> seen.add(d.id()));
      if (page.size() < 4) {
        break;
      }
      start = Optional.of(page.getLast().id());
    }
    ids.sort(Names::compare);
    assertThat(seen).containsExactlyElementsOf(ids);
    assertThat(seen).isSortedAccordingTo(Comparator.comparing(s -> s, Names::compare));
  }
}
