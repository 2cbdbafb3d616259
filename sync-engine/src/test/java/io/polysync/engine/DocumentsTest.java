package io.polysync.engine;

import static io.polysync.engine.TestDocs.doc;
import static io.polysync.engine.TestDocs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class DocumentsTest {
  private final SyncEngine engine = TestStorages.memoryEngine();
  private final Database db = engine.createDatabase("docs");

  @AfterEach
  void close() {
    engine.close();
  }

  private static void assertError(Runnable call, EngineError code, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(SyncException.class, e -> {
      assertThat(e.errorCode()).isEqualTo(code);
      if (message != null) {
        assertThat(e.getMessage()).isEqualTo(message);
      }
    });
  }

  /** A replicated revision: {@code _revisions} from newest to oldest hash. */
  private static DocumentWrite replicated(String id, int start, String... hashes) {
    ObjectNode doc = doc(id).put("_rev", start + "-" + hashes[0]);
    var ids = doc.putObject("_revisions").put("start", start).putArray("ids");
    for (String h : hashes) {
      ids.add(h);
    }
    return DocumentWrite.of(doc);
  }

  @Test
  void put_thenGet_returnsBodyWithIdAndRev() {
    WriteOutcome.Ok ok = db.put(doc("a").put("title", "hello"));
    Document got = db.get("a", ReadOptions.defaults());
    assertThat(got.json().get("_id").asText()).isEqualTo("a");
    assertThat(got.rev()).isEqualTo(ok.rev()).startsWith("1-");
    assertThat(got.json().get("title").asText()).isEqualTo("hello");
    assertThat(got.seq()).isEqualTo(ok.seq());
    assertThat(got.timestamp()).isEqualTo(ok.timestamp()).isPositive();
  }

  @Test
  void put_sequenceAndTimestamp_strictlyIncrease() {
    WriteOutcome.Ok a = db.put(doc("a"));
    WriteOutcome.Ok b = db.put(doc("b"));
    WriteOutcome.Ok a2 = db.put(doc("a").put("_rev", a.rev()).put("v", 2));
    assertThat(List.of(a.seq(), b.seq(), a2.seq())).isSorted().doesNotHaveDuplicates();
    assertThat(b.timestamp()).isGreaterThan(a.timestamp());
    assertThat(a2.timestamp()).isGreaterThan(b.timestamp());
  }

  @Test
  void put_withoutRevOnLiveDocument_isConflict() {
    db.put(doc("a"));
    assertError(() -> db.put(doc("a").put("v", 2)), EngineError.DOCUMENT_CONFLICT, "Document update conflict.");
  }

  @Test
  void get_missing_isNotFoundMissing() {
    assertError(() -> db.get("nope", ReadOptions.defaults()), EngineError.DOCUMENT_NOT_FOUND, "missing");
  }

  @Test
  void get_deletedWithoutRev_isNotFoundDeleted_butReadableByRev() {
    WriteOutcome.Ok ok = db.put(doc("a"));
    WriteOutcome.Ok gone = db.delete("a", ok.rev());
    assertError(() -> db.get("a", ReadOptions.defaults()), EngineError.DOCUMENT_NOT_FOUND, "deleted");
    Document tomb = db.get("a", ReadOptions.defaults().withRev(gone.rev()));
    assertThat(tomb.deleted()).isTrue();
    assertThat(tomb.rev()).isEqualTo(gone.rev()).startsWith("2-");
  }

  @Test
  void get_malformedRev_isInvalidRevision() {
    db.put(doc("a"));
    assertError(() -> db.get("a", ReadOptions.defaults().withRev("abc")), EngineError.INVALID_REVISION, null);
  }

  @Test
  void put_afterDelete_withoutRev_extendsTheDeletedLeaf() {
    WriteOutcome.Ok ok = db.put(doc("a"));
    db.delete("a", ok.rev());
    WriteOutcome.Ok again = db.put(doc("a").put("v", 3));
    assertThat(again.rev()).startsWith("3-");
    Document got = db.get("a", ReadOptions.defaults().withRevs(true));
    assertThat(got.json().get("_revisions").get("ids")).hasSize(3);
  }

  @Test
  void bulkDocs_interactive_reportsPerDocumentResultsInOrder() {
    db.put(doc("taken"));
    List<WriteOutcome> out = db.bulkDocs(List.of(
        DocumentWrite.of(doc("x")),
        DocumentWrite.of(doc("taken")),
        DocumentWrite.of(json("{'_id':'bad','_foo':1}")),
        DocumentWrite.of(doc("y"))), true);
    assertThat(out).extracting(WriteOutcome::id).containsExactly("x", "taken", "bad", "y");
    assertThat(out.get(0)).isInstanceOf(WriteOutcome.Ok.class);
    assertThat(out.get(1)).isInstanceOfSatisfying(WriteOutcome.Failed.class,
        f -> assertThat(f.error()).isEqualTo(EngineError.DOCUMENT_CONFLICT));
    assertThat(out.get(2)).isInstanceOfSatisfying(WriteOutcome.Failed.class,
        f -> assertThat(f.reason()).isEqualTo("Bad special document member: _foo"));
    assertThat(out.get(3)).isInstanceOf(WriteOutcome.Ok.class);
  }

  @Test
  void bulkDocs_duplicateIds_areAppliedInOrder() {
    WriteOutcome.Ok first = db.put(doc("d").put("v", 1));
    List<WriteOutcome> out = db.bulkDocs(List.of(
        DocumentWrite.of(doc("d").put("_rev", first.rev()).put("v", 2)),
        DocumentWrite.of(doc("d").put("_rev", first.rev()).put("v", 3)),
        DocumentWrite.of(doc("e"))), true);
    assertThat(out.get(0)).isInstanceOf(WriteOutcome.Ok.class);
    assertThat(out.get(1)).isInstanceOfSatisfying(WriteOutcome.Failed.class,
        f -> assertThat(f.error()).isEqualTo(EngineError.DOCUMENT_CONFLICT));
    assertThat(db.get("d", ReadOptions.defaults()).json().get("v").asInt()).isEqualTo(2);
  }

  @Test
  void bulkDocs_postWithoutId_generatesOne() {
    WriteOutcome out = db.bulkDocs(List.of(DocumentWrite.of(json("{'v':1}"))), true).get(0);
    assertThat(out.id()).matches("[0-9a-f]{32}");
    assertThat(db.get(out.id(), ReadOptions.defaults()).json().get("v").asInt()).isEqualTo(1);
  }

  @Test
  void bulkDocs_replicatedConflictingBranches_keepBothLeaves() {
    List<WriteOutcome> out = db.bulkDocs(List.of(
        replicated("c", 2, "bbbb", "aaaa"),
        replicated("c", 2, "cccc", "aaaa")), false);
    assertThat(out).allMatch(o -> o instanceof WriteOutcome.Ok);
    Document winner = db.get("c", ReadOptions.defaults().withConflicts(true));
    assertThat(winner.rev()).isEqualTo("2-cccc");
    assertThat(winner.json().get("_conflicts").get(0).asText()).isEqualTo("2-bbbb");
  }

  @Test
  void bulkDocs_replicatedAgain_writesNothing() {
    db.bulkDocs(List.of(replicated("r", 2, "bbbb", "aaaa")), false);
    long seq = db.info().updateSeq();
    List<WriteOutcome> again = db.bulkDocs(List.of(replicated("r", 2, "bbbb", "aaaa"),
        replicated("r", 1, "aaaa")), false);
    assertThat(again).allMatch(o -> o instanceof WriteOutcome.Ok);
    assertThat(db.info().updateSeq()).isEqualTo(seq);
  }

  @Test
  void bulkDocs_replicatedWithoutRevisions_isBadRequest() {
    WriteOutcome out = db.bulkDocs(List.of(DocumentWrite.of(doc("n"))), false).get(0);
    assertThat(out).isInstanceOfSatisfying(WriteOutcome.Failed.class,
        f -> assertThat(f.error()).isEqualTo(EngineError.BAD_REQUEST));
  }

  @Test
  void bulkDocs_replicatedDeletedBranch_isADeletedConflict() {
    db.bulkDocs(List.of(replicated("d", 2, "bbbb", "aaaa")), false);
    ObjectNode tomb = replicated("d", 3, "zzzz", "yyyy", "aaaa").doc().put("_deleted", true);
    db.bulkDocs(List.of(DocumentWrite.of(tomb)), false);
    Document got = db.get("d", ReadOptions.defaults().withDeletedConflicts(true).withConflicts(true));
    assertThat(got.rev()).isEqualTo("2-bbbb");
    assertThat(got.json().has("_conflicts")).isFalse();
    assertThat(got.json().get("_deleted_conflicts").get(0).asText()).isEqualTo("3-zzzz");
  }

  @Test
  void bulkDocs_moreDocumentsThanBatchSize_areSplitAndAllWritten() {
    TestStorages.Limited storage = TestStorages.limited(3);
    try (SyncEngine small = SyncEngine.create(storage, TestStorages.options())) {
      Database sdb = small.createDatabase("split");
      List<DocumentWrite> docs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        docs.add(DocumentWrite.of(doc("doc" + i)));
      }
      assertThat(sdb.bulkDocs(docs, true)).allMatch(o -> o instanceof WriteOutcome.Ok);
      assertThat(storage.writeCalls.get()).isEqualTo(4);
      assertThat(sdb.info().docCount()).isEqualTo(10);
    } finally {
      storage.close();
    }
  }

  @Test
  void put_revsLimit_stemsHistory() {
    db.setRevsLimit(3);
    String rev = db.put(doc("s")).rev();
    for (int i = 0; i < 5; i++) {
      rev = db.put(doc("s").put("_rev", rev).put("i", i)).rev();
    }
    Document got = db.get("s", ReadOptions.defaults().withRevs(true));
    assertThat(got.json().get("_revisions").get("start").asInt()).isEqualTo(6);
    assertThat(got.json().get("_revisions").get("ids")).hasSize(3);
  }

  @Test
  void get_revsInfo_marksBodiesDroppedAsMissing() {
    String r1 = db.put(doc("i")).rev();
    String r2 = db.put(doc("i").put("_rev", r1)).rev();
    Document got = db.get("i", ReadOptions.defaults().withRevsInfo(true).withLocalSeq(true));
    assertThat(got.json().get("_revs_info").toString())
        .isEqualTo("[{\"rev\":\"" + r2 + "\",\"status\":\"available\"},{\"rev\":\"" + r1 + "\",\"status\":\"missing\"}]");
    assertThat(got.json().get("_local_seq").asLong()).isEqualTo(got.seq());
  }

  @Test
  void openRevs_listedRevs_foundOrMissing() {
    db.bulkDocs(List.of(replicated("o", 2, "bbbb", "aaaa"), replicated("o", 2, "cccc", "aaaa")), false);
    List<OpenRevResult> out = db.openRevs("o", List.of("2-bbbb", "9-nope"), ReadOptions.defaults());
    assertThat(out).hasSize(2);
    assertThat(out.get(0)).isInstanceOfSatisfying(OpenRevResult.Found.class,
        f -> assertThat(f.document().rev()).isEqualTo("2-bbbb"));
    assertThat(out.get(1)).isEqualTo(new OpenRevResult.Missing("9-nope"));
  }

  @Test
  void openRevs_latest_returnsLeavesUnderTheRevision() {
    db.bulkDocs(List.of(replicated("o", 3, "cccc", "bbbb", "aaaa"), replicated("o", 2, "dddd", "aaaa")), false);
    List<OpenRevResult> out = db.openRevs("o", List.of("1-aaaa"), ReadOptions.defaults().withLatest(true).withRevs(true));
    assertThat(out).extracting(r -> ((OpenRevResult.Found) r).document().rev()).containsExactly("3-cccc", "2-dddd");
    List<OpenRevResult> interior = db.openRevs("o", List.of("2-bbbb"), ReadOptions.defaults());
    assertThat(interior).containsExactly(new OpenRevResult.Missing("2-bbbb"));
  }

  @Test
  void openAllRevs_includesDeletedLeaves() {
    db.bulkDocs(List.of(replicated("o", 2, "bbbb", "aaaa")), false);
    ObjectNode tomb = replicated("o", 2, "cccc", "aaaa").doc().put("_deleted", true);
    db.bulkDocs(List.of(DocumentWrite.of(tomb)), false);
    assertThat(db.openAllRevs("o", ReadOptions.defaults()))
        .extracting(r -> ((OpenRevResult.Found) r).document().rev()).containsExactly("2-bbbb", "2-cccc");
  }

  @Test
  void revsDiff_reportsMissingAndPossibleAncestors() {
    db.bulkDocs(List.of(replicated("p", 2, "bbbb", "aaaa")), false);
    Map<String, RevsDiff> diff = db.revsDiff(Map.of(
        "p", List.of("2-bbbb", "3-cccc", "1-zzzz"),
        "q", List.of("1-aaaa")));
    assertThat(diff.get("p").missing()).containsExactly("3-cccc", "1-zzzz");
    assertThat(diff.get("p").possibleAncestors()).containsExactly("2-bbbb");
    assertThat(diff.get("q").missing()).containsExactly("1-aaaa");
    assertThat(db.revsDiff(Map.of("p", List.of("2-bbbb", "1-aaaa")))).isEmpty();
  }

  @Test
  void bulkGet_answersInRequestOrder() {
    db.bulkDocs(List.of(replicated("g", 2, "bbbb", "aaaa")), false);
    String gone = db.delete("g2", db.put(doc("g2")).rev()).rev();
    List<BulkGetResult> out = db.bulkGet(List.of(
        BulkGetRequest.of("g", "2-bbbb"),
        BulkGetRequest.of("missing", "1-aaaa"),
        BulkGetRequest.of("g", "1-aaaa"),
        BulkGetRequest.of("g2"),
        BulkGetRequest.of("g2", gone)), ReadOptions.defaults().withRevs(true).withLatest(true));
    assertThat(out).extracting(BulkGetResult::id).containsExactly("g", "missing", "g", "g2", "g2");
    assertThat(out.get(0).docs().get(0)).isInstanceOfSatisfying(OpenRevResult.Found.class,
        f -> assertThat(f.document().json().get("_revisions").get("ids")).hasSize(2));
    assertThat(out.get(1).docs()).containsExactly(new OpenRevResult.Failed("missing", Optional.of("1-aaaa"),
        EngineError.DOCUMENT_NOT_FOUND, "missing"));
    assertThat(out.get(2).docs().get(0)).isInstanceOfSatisfying(OpenRevResult.Found.class,
        f -> assertThat(f.document().rev()).isEqualTo("2-bbbb"));
    assertThat(out.get(3).docs()).containsExactly(new OpenRevResult.Failed("g2", Optional.empty(),
        EngineError.DOCUMENT_NOT_FOUND, "deleted"));
    assertThat(out.get(4).docs().get(0)).isInstanceOfSatisfying(OpenRevResult.Found.class,
        f -> assertThat(f.document().deleted()).isTrue());
  }

  @Test
  void allDocs_rangeSkipLimitDescendingKeys() {
    for (String id : List.of("a", "b", "c", "d", "e")) {
      db.put(doc(id).put("n", id));
    }
    db.delete("c", db.get("c", ReadOptions.defaults()).rev());
    AllDocsResult all = db.allDocs(AllDocsOptions.defaults());
    assertThat(all.totalRows()).isEqualTo(4);
    assertThat(all.rows()).extracting(AllDocsResult.Row::id).containsExactly("a", "b", "d", "e");
    assertThat(db.allDocs(AllDocsOptions.defaults().withRange("b", "d").withInclusiveEnd(false)).rows())
        .extracting(AllDocsResult.Row::id).containsExactly("b");
    assertThat(db.allDocs(AllDocsOptions.defaults().withDescending(true).withSkip(1).withLimit(2)).rows())
        .extracting(AllDocsResult.Row::id).containsExactly("d", "b");
    AllDocsResult keys = db.allDocs(AllDocsOptions.defaults().withKeys(List.of("e", "zz", "c")).withIncludeDocs(true));
    assertThat(keys.rows()).extracting(AllDocsResult.Row::id).containsExactly("e", "zz", "c");
    assertThat(keys.rows().get(0).doc()).hasValueSatisfying(d -> assertThat(d.get("n").asText()).isEqualTo("e"));
    assertThat(keys.rows().get(1).error()).contains("not_found");
    assertThat(keys.rows().get(2).deleted()).isTrue();
    assertThat(keys.rows().get(2).doc()).isEmpty();
  }

  @Test
  void allDocs_moreRowsThanOnePage_areAllListed() {
    TestStorages.Limited storage = TestStorages.limited(10_000);
    try (SyncEngine e = SyncEngine.create(storage, TestStorages.options())) {
      Database big = e.createDatabase("big");
      List<DocumentWrite> docs = new ArrayList<>();
      for (int i = 0; i < 1234; i++) {
        docs.add(DocumentWrite.of(doc(String.format("k%05d", i))));
      }
      big.bulkDocs(docs, true);
      AllDocsResult all = big.allDocs(AllDocsOptions.defaults().withSkip(3));
      assertThat(all.rows()).hasSize(1231);
      assertThat(all.rows().get(0).id()).isEqualTo("k00003");
      assertThat(all.rows()).extracting(AllDocsResult.Row::id).doesNotHaveDuplicates();
    } finally {
      storage.close();
    }
  }

  @Test
  void revsDiff_couchDbSession_matchesObservedAnswer() {
    // A CouchDB session published as a gist ("Playing with CouchDB revisions",
    // gist.github.com/nono/42aee18de6314a621f9126f284e303bb): a linear history 1..4, then
    // _revs_diff of [1-, 3-, 4-ccc, 5-ddd] answers missing [4-ccc, 5-ddd] and
    // possible_ancestors [4-753875d51501a6b1883a9d62b4d33f91].
    db.bulkDocs(List.of(replicated("bbb", 4, "753875d51501a6b1883a9d62b4d33f91",
        "efc54218773c6acd910e2e97fea2a608", "2ee767305024673cfb3f5af037cd2729",
        "4a7e4ae49c4366eaed8edeaea8f784ad")), false);
    assertThat(db.revsDiff(Map.of("bbb", List.of("1-4a7e4ae49c4366eaed8edeaea8f784ad",
        "2-2ee767305024673cfb3f5af037cd2729")))).isEmpty();
    RevsDiff diff = db.revsDiff(Map.of("bbb", List.of("1-4a7e4ae49c4366eaed8edeaea8f784ad",
        "3-efc54218773c6acd910e2e97fea2a608", "4-ccc", "5-ddd"))).get("bbb");
    assertThat(diff.missing()).containsExactly("4-ccc", "5-ddd");
    assertThat(diff.possibleAncestors()).containsExactly("4-753875d51501a6b1883a9d62b4d33f91");
  }
}
