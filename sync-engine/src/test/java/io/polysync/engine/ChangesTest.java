package io.polysync.engine;

import static io.polysync.engine.TestDocs.doc;
import static io.polysync.engine.TestDocs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.SyncException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class ChangesTest {
  private final SyncEngine engine = TestStorages.memoryEngine();
  private final Database db = engine.createDatabase("feed");

  @AfterEach
  void close() {
    engine.close();
  }

  private static List<String> ids(ChangesResult result) {
    return result.results().stream().map(ChangesResult.Row::id).toList();
  }

  @Test
  void changes_fromZero_listsEachDocumentOnceAtItsLatestSeq() {
    String a = db.put(doc("a")).rev();
    db.put(doc("b"));
    WriteOutcome.Ok a2 = db.put(doc("a").put("_rev", a).put("v", 2));
    ChangesResult result = db.changes(ChangesOptions.since(0));
    assertThat(ids(result)).containsExactly("b", "a");
    assertThat(result.results().get(1).seq()).isEqualTo(a2.seq());
    assertThat(result.results().get(1).changes()).containsExactly(a2.rev());
    assertThat(result.lastSeq()).isEqualTo(a2.seq());
    assertThat(result.pending()).hasValue(0);
  }

  @Test
  void changes_sinceAndLimit_pageThroughTheFeed() {
    for (int i = 0; i < 5; i++) {
      db.put(doc("d" + i));
    }
    ChangesResult first = db.changes(ChangesOptions.since(0).withLimit(2));
    assertThat(ids(first)).containsExactly("d0", "d1");
    assertThat(first.pending()).isEmpty();
    ChangesResult second = db.changes(ChangesOptions.since(first.lastSeq()).withLimit(10));
    assertThat(ids(second)).containsExactly("d2", "d3", "d4");
    ChangesResult none = db.changes(ChangesOptions.since(second.lastSeq()));
    assertThat(none.results()).isEmpty();
    assertThat(none.lastSeq()).isEqualTo(second.lastSeq());
  }

  @Test
  void changes_descending_newestFirst() {
    for (int i = 0; i < 3; i++) {
      db.put(doc("d" + i));
    }
    assertThat(ids(db.changes(ChangesOptions.since(0).withDescending(true)))).containsExactly("d2", "d1", "d0");
    assertThat(ids(db.changes(ChangesOptions.since(0).withDescending(true).withLimit(1)))).containsExactly("d2");
  }

  @Test
  void changes_allDocsStyle_listsEveryLeafIncludingDeleted() {
    ObjectNode a = json("{'_id':'c','_rev':'2-bbbb','_revisions':{'start':2,'ids':['bbbb','aaaa']}}");
    ObjectNode b = json("{'_id':'c','_rev':'2-cccc','_deleted':true,'_revisions':{'start':2,'ids':['cccc','aaaa']}}");
    ObjectNode c = json("{'_id':'c','_rev':'2-dddd','_revisions':{'start':2,'ids':['dddd','aaaa']}}");
    db.bulkDocs(List.of(DocumentWrite.of(a), DocumentWrite.of(b), DocumentWrite.of(c)), false);
    ChangesResult.Row row = db.changes(ChangesOptions.since(0).withStyle(ChangesOptions.Style.ALL_DOCS))
        .results().get(0);
    assertThat(row.changes()).containsExactly("2-dddd", "2-bbbb", "2-cccc");
    assertThat(row.deleted()).isFalse();
    ChangesResult.Row main = db.changes(ChangesOptions.since(0)).results().get(0);
    assertThat(main.changes()).containsExactly("2-dddd");
  }

  @Test
  void changes_deletedDocument_isFlaggedAndIncludedDocIsTheTombstone() {
    db.delete("x", db.put(doc("x")).rev());
    ChangesResult.Row row = db.changes(ChangesOptions.since(0).withIncludeDocs(true)).results().get(0);
    assertThat(row.deleted()).isTrue();
    assertThat(row.doc()).hasValueSatisfying(d -> assertThat(d.get("_deleted").asBoolean()).isTrue());
  }

  @Test
  void changes_docIdsFilter_advancesLastSeqPastFilteredRows() {
    db.put(doc("a"));
    db.put(doc("b"));
    WriteOutcome.Ok last = db.put(doc("c"));
    ChangesResult result = db.changes(ChangesOptions.since(0).withDocIds(List.of("a")));
    assertThat(ids(result)).containsExactly("a");
    assertThat(result.lastSeq()).isEqualTo(last.seq());
  }

  @Test
  void changes_selectorFilter_matchesWinningBody() {
    db.put(doc("a").put("type", "note").put("n", 1));
    db.put(doc("b").put("type", "todo").put("n", 2));
    db.put(doc("c").put("type", "note").put("n", 3));
    WriteOutcome.Ok last = db.put(doc("d").put("type", "todo"));
    ChangesResult notes = db.changes(ChangesOptions.since(0).withIncludeDocs(true)
        .withSelector(json("{'type':'note','n':{'$gt':1}}")));
    assertThat(ids(notes)).containsExactly("c");
    assertThat(notes.results().get(0).doc()).hasValueSatisfying(d -> assertThat(d.get("n").asInt()).isEqualTo(3));
    assertThat(notes.lastSeq()).isEqualTo(last.seq());
  }

  @Test
  void changes_selectorFilterWithLimit_stopsAtTheLastReturnedRow() {
    db.put(doc("a").put("t", 1));
    WriteOutcome.Ok b = db.put(doc("b").put("t", 1));
    db.put(doc("c").put("t", 1));
    ChangesResult result = db.changes(ChangesOptions.since(0).withLimit(2).withSelector(json("{'t':1}")));
    assertThat(ids(result)).containsExactly("a", "b");
    assertThat(result.lastSeq()).isEqualTo(b.seq());
  }

  @Test
  void changes_unsupportedSelectorOperator_isInvalidSelector() {
    assertThatThrownBy(() -> db.changes(ChangesOptions.since(0).withSelector(json("{'a':{'$regex':'x'}}"))))
        .isInstanceOfSatisfying(SyncException.class, e -> {
          assertThat(e.errorCode()).isEqualTo(EngineError.INVALID_SELECTOR);
          assertThat(e.getMessage()).contains("$regex");
        });
  }

  @Test
  void awaitChanges_writeAfterWaiting_wakesTheWaiter() throws Exception {
    long since = db.info().updateSeq();
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
      started.countDown();
      return db.awaitChanges(since, Duration.ofMinutes(5));
    }, runnable -> Thread.ofVirtual().start(runnable));
    assertThat(started.await(1, TimeUnit.MINUTES)).isTrue();
    WriteOutcome.Ok ok = db.put(doc("late"));
    assertThat(waiter.get(5, TimeUnit.MINUTES)).isGreaterThanOrEqualTo(ok.seq()).isGreaterThan(since);
  }

  @Test
  void awaitChanges_alreadyPast_returnsAtOnce() {
    WriteOutcome.Ok ok = db.put(doc("early"));
    assertThat(db.awaitChanges(0, Duration.ofMinutes(5))).isEqualTo(ok.seq());
  }

  @Test
  void awaitChanges_nothingWritten_returnsSinceOnTimeout() {
    assertThat(db.awaitChanges(0, Duration.ofMillis(20))).isZero();
  }

  @Test
  void changesWithTimeout_longpoll_returnsTheRowWrittenWhileWaiting() throws Exception {
    long since = db.info().updateSeq();
    CompletableFuture<ChangesResult> poll = CompletableFuture.supplyAsync(
        () -> db.changes(ChangesOptions.since(since), Duration.ofMinutes(5)),
        runnable -> Thread.ofVirtual().start(runnable));
    db.put(doc("news"));
    assertThat(ids(poll.get(5, TimeUnit.MINUTES))).containsExactly("news");
  }

  @Test
  void changes_selectorPushdown_agreesWithEngineEvaluation() {
    TestStorages.Limited limited = TestStorages.limited(10_000);
    try (SyncEngine evaluating = SyncEngine.create(limited, TestStorages.options())) {
      Database other = evaluating.createDatabase("feed");
      java.util.Random random = new java.util.Random(42);
      for (int i = 0; i < 1200; i++) {
        ObjectNode d = doc("d" + random.nextInt(400)).put("n", random.nextInt(10));
        for (Database target : List.of(db, other)) {
          target.bulkDocs(List.of(DocumentWrite.of(d.deepCopy().put("_id", d.get("_id").asText()))), true);
        }
      }
      ChangesOptions options = ChangesOptions.since(0).withSelector(json("{'n':{'$in':[1,2]}}"))
          .withStyle(ChangesOptions.Style.ALL_DOCS).withDocIds(List.of("d1", "d2", "d3", "d50", "d399"));
      assertThat(follow(db, options)).isEqualTo(follow(other, options)).isNotEmpty();
      ChangesOptions wide = ChangesOptions.since(0).withSelector(json("{'n':{'$gte':3}}")).withLimit(77);
      assertThat(follow(db, wide)).isEqualTo(follow(other, wide)).hasSizeGreaterThan(77);
    } finally {
      limited.close();
    }
  }

  /** Follows the feed to its end, page by page; the rows without their seqs (the two databases differ there). */
  private static List<String> follow(Database database, ChangesOptions options) {
    List<String> rows = new java.util.ArrayList<>();
    long since = 0;
    while (true) {
      ChangesResult page = database.changes(options.withSince(since));
      page.results().forEach(r -> rows.add(r.id() + r.changes()));
      if (page.pending().isPresent() && page.pending().getAsLong() == 0) {
        assertThat(page.lastSeq()).isEqualTo(database.info().updateSeq());
        return rows;
      }
      since = page.lastSeq();
    }
  }
}
