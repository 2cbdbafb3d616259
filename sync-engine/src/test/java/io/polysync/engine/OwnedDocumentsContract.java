package io.polysync.engine;

import static io.polysync.engine.TestDocs.doc;
import static io.polysync.engine.TestDocs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.SyncException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Owned documents through the engine's API, run on each backend by a subclass: what a member, a
 * reader and an admin see and may write, sharing and unsharing, and the per-user sequence.
 */
abstract class OwnedDocumentsContract {
  static final UserContext ALICE = UserContext.of("alice", List.of());
  static final UserContext BOB = UserContext.of("bob", List.of());
  static final UserContext BOSS = UserContext.of("boss", List.of());
  static final UserContext SERVER_ADMIN = UserContext.of("root", List.of(UserContext.SERVER_ADMIN));

  SyncEngine engine;
  Database db;
  Database alice;
  Database bob;
  Database boss;

  /** A fresh engine on the backend under test. */
  abstract SyncEngine openEngine();

  /** Releases what {@link #openEngine} made; after the engine is closed. */
  void cleanUp() throws Exception {}

  @BeforeEach
  void setUp() {
    engine = openEngine();
    db = engine.createDatabase("shared");
    db.setSecurity(new SecurityObject(List.of("boss"), List.of(), List.of("alice", "bob"), List.of(), true));
    alice = db.forUser(ALICE);
    bob = db.forUser(BOB);
    boss = db.forUser(BOSS);
  }

  @AfterEach
  void tearDown() throws Exception {
    engine.close();
    cleanUp();
  }

  static List<String> ids(ChangesResult result) {
    return result.results().stream().map(ChangesResult.Row::id).toList();
  }

  static List<String> ids(AllDocsResult result) {
    return result.rows().stream().map(AllDocsResult.Row::id).toList();
  }

  @Test
  void changes_member_seesOnlyItsOwnDocuments() {
    alice.put(doc("a1"));
    bob.put(doc("b1"));
    alice.put(doc("a2"));
    boss.put(doc("x1"));
    assertThat(ids(alice.changes(ChangesOptions.since(0)))).containsExactly("a1", "a2");
    assertThat(ids(bob.changes(ChangesOptions.since(0)))).containsExactly("b1");
    assertThat(ids(boss.changes(ChangesOptions.since(0)))).containsExactly("a1", "b1", "a2", "x1");
    assertThat(ids(db.forUser(SERVER_ADMIN).changes(ChangesOptions.since(0))))
        .containsExactly("a1", "b1", "a2", "x1");
  }

  @Test
  void changes_member_hasItsOwnSequence() {
    for (int i = 0; i < 5; i++) {
      bob.put(doc("b" + i));
    }
    alice.put(doc("a1"));
    ChangesResult first = alice.changes(ChangesOptions.since(0));
    assertThat(first.results()).singleElement().satisfies(r -> assertThat(r.seq()).isEqualTo(1));
    assertThat(first.lastSeq()).isEqualTo(1);
    assertThat(alice.info().updateSeq()).isEqualTo(1);
    assertThat(alice.info().docCount()).isEqualTo(1);
    bob.put(doc("b9"));
    String rev = alice.put(doc("a2")).rev();
    ChangesResult next = alice.changes(ChangesOptions.since(first.lastSeq()));
    assertThat(ids(next)).containsExactly("a2");
    assertThat(next.results().get(0).changes()).containsExactly(rev);
    assertThat(alice.changes(ChangesOptions.since(next.lastSeq())).results()).isEmpty();
  }

  @Test
  void changes_sinceBeyondTheUsersSequence_startsAgainFromZero() {
    for (int i = 0; i < 5; i++) {
      bob.put(doc("b" + i));
    }
    alice.put(doc("a1"));
    long databaseSeq = db.info().updateSeq();
    assertThat(ids(alice.changes(ChangesOptions.since(databaseSeq)))).containsExactly("a1");
  }

  @Test
  void changes_includeDocsAndLimit_pageThroughOwnDocuments() {
    for (int i = 0; i < 4; i++) {
      alice.put(doc("a" + i).put("n", i));
      bob.put(doc("b" + i));
    }
    ChangesResult page = alice.changes(ChangesOptions.since(0).withLimit(3).withIncludeDocs(true));
    assertThat(ids(page)).containsExactly("a0", "a1", "a2");
    assertThat(page.results().get(2).doc().orElseThrow().get("n").asInt()).isEqualTo(2);
    assertThat(ids(alice.changes(ChangesOptions.since(page.lastSeq())))).containsExactly("a3");
  }

  @Test
  void allDocs_member_listsOnlyItsOwnDocuments() {
    alice.put(doc("m"));
    bob.put(doc("a"));
    alice.put(doc("c"));
    bob.put(doc("z"));
    AllDocsResult all = alice.allDocs(AllDocsOptions.defaults());
    assertThat(ids(all)).containsExactly("c", "m");
    assertThat(all.totalRows()).isEqualTo(2);
    assertThat(ids(boss.allDocs(AllDocsOptions.defaults()))).containsExactly("a", "c", "m", "z");
    AllDocsResult keys = alice.allDocs(AllDocsOptions.defaults().withKeys(List.of("a", "m")));
    assertThat(keys.rows().get(0).error()).contains("not_found");
    assertThat(keys.rows().get(1).rev()).isPresent();
  }

  @Test
  void get_othersDocument_isMissingAsIfItDidNotExist() {
    bob.put(doc("b1").put("secret", "s"));
    assertThatThrownBy(() -> alice.get("b1", ReadOptions.defaults()))
        .isInstanceOfSatisfying(SyncException.class, e -> {
          assertThat(e.errorCode()).isEqualTo(EngineError.DOCUMENT_NOT_FOUND);
          assertThat(e.getMessage()).isEqualTo("missing");
        });
    assertThat(bob.get("b1", ReadOptions.defaults()).json().get("secret").asText()).isEqualTo("s");
    assertThat(boss.get("b1", ReadOptions.defaults()).json().get("secret").asText()).isEqualTo("s");
  }

  @Test
  void bulkGetAndRevsDiff_othersDocument_lookAbsent() {
    String rev = bob.put(doc("b1")).rev();
    List<BulkGetResult> got = alice.bulkGet(List.of(new BulkGetRequest("b1", Optional.of(rev), List.of())),
        ReadOptions.defaults());
    assertThat(got.get(0).docs()).singleElement().isInstanceOf(OpenRevResult.Failed.class);
    Map<String, RevsDiff> diff = alice.revsDiff(Map.of("b1", List.of(rev)));
    assertThat(diff.get("b1").missing()).containsExactly(rev);
    assertThat(bob.revsDiff(Map.of("b1", List.of(rev)))).isEmpty();
    assertThat(alice.openRevs("b1", List.of(rev), ReadOptions.defaults()))
        .singleElement().isInstanceOf(OpenRevResult.Missing.class);
  }

  @Test
  void put_othersDocument_isForbidden() {
    String rev = bob.put(doc("b1")).rev();
    assertThatThrownBy(() -> alice.put(doc("b1").put("_rev", rev)))
        .isInstanceOfSatisfying(SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(EngineError.FORBIDDEN));
    assertThatThrownBy(() -> alice.delete("b1", rev))
        .isInstanceOfSatisfying(SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(EngineError.FORBIDDEN));
    List<WriteOutcome> replicated = alice.bulkDocs(List.of(DocumentWrite.of(
        json("{'_id':'b1','_rev':'2-abc','_revisions':{'start':2,'ids':['abc','" + rev.substring(2) + "']}}"))),
        false);
    assertThat(replicated).singleElement().isInstanceOfSatisfying(WriteOutcome.Failed.class,
        f -> assertThat(f.error()).isEqualTo(EngineError.FORBIDDEN));
    assertThat(bob.get("b1", ReadOptions.defaults()).json().get("_rev").asText()).isEqualTo(rev);
  }

  @Test
  void put_ownerIsTheCreator_notAnythingInTheBody() {
    alice.put(doc("a1").put("owner", "bob"));
    assertThat(ids(bob.changes(ChangesOptions.since(0)))).isEmpty();
    assertThat(ids(alice.changes(ChangesOptions.since(0)))).containsExactly("a1");
  }

  @Test
  void put_adminMayWriteAnyDocument() {
    String rev = alice.put(doc("a1")).rev();
    String next = boss.put(doc("a1").put("_rev", rev).put("fixed", true)).rev();
    // The owner stays the creator: the admin's edit shows in alice's feed.
    ChangesResult feed = alice.changes(ChangesOptions.since(0));
    assertThat(feed.results()).singleElement().satisfies(r -> assertThat(r.changes()).containsExactly(next));
  }

  @Test
  void anonymousCaller_createsNothing_andReadsNothing() {
    alice.put(json("{'_id':'a1','readers':['']}"));
    db.setSecurity(new SecurityObject(List.of(), List.of(), List.of(), List.of(UserContext.EVERYONE), true));
    Database anonymous = db.forUser(UserContext.anonymous());
    assertThatThrownBy(() -> anonymous.put(doc("n")))
        .isInstanceOfSatisfying(SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(EngineError.FORBIDDEN));
    assertThat(anonymous.changes(ChangesOptions.since(0)).results()).isEmpty();
    assertThat(anonymous.allDocs(AllDocsOptions.defaults()).rows()).isEmpty();
    assertThat(anonymous.info().docCount()).isZero();
    assertThatThrownBy(() -> anonymous.get("a1", ReadOptions.defaults())).isInstanceOf(SyncException.class);
  }

  @Test
  void readers_shareAndUnshare_addAndThenRemoveTheDocument() {
    String rev1 = alice.put(doc("a1").put("v", 1)).rev();
    long bobStart = bob.changes(ChangesOptions.since(0)).lastSeq();
    String rev2 = alice.put(json("{'_id':'a1','_rev':'" + rev1 + "','v':2,'readers':['bob']}")).rev();
    ChangesResult shared = bob.changes(ChangesOptions.since(bobStart));
    assertThat(shared.results()).singleElement().satisfies(r -> {
      assertThat(r.id()).isEqualTo("a1");
      assertThat(r.changes()).containsExactly(rev2);
      assertThat(r.deleted()).isFalse();
    });
    assertThat(bob.get("a1", ReadOptions.defaults()).json().get("v").asInt()).isEqualTo(2);
    assertThat(ids(bob.allDocs(AllDocsOptions.defaults()))).containsExactly("a1");
    assertThatThrownBy(() -> bob.put(json("{'_id':'a1','_rev':'" + rev2 + "','v':3}")))
        .isInstanceOfSatisfying(SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(EngineError.FORBIDDEN));

    String rev3 = alice.put(json("{'_id':'a1','_rev':'" + rev2 + "','v':3,'readers':[]}")).rev();
    ChangesResult removed = bob.changes(ChangesOptions.since(shared.lastSeq()));
    assertThat(removed.results()).singleElement().satisfies(r -> {
      assertThat(r.id()).isEqualTo("a1");
      assertThat(r.deleted()).isTrue();
      assertThat(r.changes()).singleElement().satisfies(rev -> assertThat(rev).startsWith("4-"));
    });
    String removal = removed.results().get(0).changes().get(0);
    assertThatThrownBy(() -> bob.get("a1", ReadOptions.defaults())).isInstanceOf(SyncException.class);
    assertThat(ids(bob.allDocs(AllDocsOptions.defaults()))).isEmpty();
    assertThat(bob.info().docCount()).isZero();
    // The removal revision is a tombstone on top of the history bob had, so his replica drops it.
    List<BulkGetResult> got = bob.bulkGet(List.of(new BulkGetRequest("a1", Optional.of(removal), List.of())),
        ReadOptions.defaults().withRevs(true));
    assertThat(got.get(0).docs()).singleElement().isInstanceOfSatisfying(OpenRevResult.Found.class, f -> {
      ObjectNode tomb = f.document().json();
      assertThat(tomb.get("_deleted").asBoolean()).isTrue();
      assertThat(tomb.get("_rev").asText()).isEqualTo(removal);
      assertThat(tomb.has("v")).isFalse();
      assertThat(tomb.at("/_revisions/start").asInt()).isEqualTo(4);
      assertThat(tomb.at("/_revisions/ids/1").asText()).isEqualTo(rev3.substring(2));
      assertThat(tomb.at("/_revisions/ids")).hasSize(4);
    });
    // Bob's replica holds the removal now: a two-way sync finds nothing to push back.
    assertThat(bob.revsDiff(Map.of("a1", List.of(removal)))).isEmpty();
    // Someone who never had the document gets nothing for that revision.
    db.setSecurity(new SecurityObject(List.of("boss"), List.of(), List.of("alice", "bob", "carol"), List.of(),
        true));
    Database carol = db.forUser(UserContext.of("carol", List.of()));
    assertThat(carol.bulkGet(List.of(new BulkGetRequest("a1", Optional.of(removal), List.of())),
        ReadOptions.defaults()).get(0).docs()).singleElement().isInstanceOf(OpenRevResult.Failed.class);
    assertThat(carol.changes(ChangesOptions.since(0)).results()).isEmpty();
    assertThat(carol.revsDiff(Map.of("a1", List.of(removal))).get("a1").missing()).containsExactly(removal);
  }

  @Test
  void delete_ownerDeletes_readersAndOwnerSeeADeletion() {
    String rev = alice.put(json("{'_id':'a1','readers':['bob']}")).rev();
    long bobSeen = bob.changes(ChangesOptions.since(0)).lastSeq();
    long aliceSeen = alice.changes(ChangesOptions.since(0)).lastSeq();
    alice.delete("a1", rev);
    assertThat(alice.changes(ChangesOptions.since(aliceSeen)).results())
        .singleElement().satisfies(r -> assertThat(r.deleted()).isTrue());
    assertThat(bob.changes(ChangesOptions.since(bobSeen)).results())
        .singleElement().satisfies(r -> assertThat(r.deleted()).isTrue());
    assertThat(alice.allDocs(AllDocsOptions.defaults()).rows()).isEmpty();
  }

  @Test
  void awaitChanges_member_wakesOnItsOwnSequence() {
    alice.put(doc("a1"));
    long seen = alice.changes(ChangesOptions.since(0)).lastSeq();
    bob.put(doc("b1"));
    alice.put(doc("a2"));
    assertThat(alice.awaitChanges(seen, Duration.ofSeconds(30))).isGreaterThan(seen);
    assertThat(ids(alice.changes(ChangesOptions.since(seen), Duration.ofSeconds(30)))).containsExactly("a2");
  }

  @Test
  void notOwned_memberSeesEverything() {
    alice.put(doc("a1"));
    bob.put(doc("b1"));
    db.setSecurity(new SecurityObject(List.of("boss"), List.of(), List.of("alice", "bob"), List.of()));
    Database plain = db.forUser(ALICE);
    assertThat(ids(plain.changes(ChangesOptions.since(0)))).containsExactly("a1", "b1");
    assertThat(plain.get("b1", ReadOptions.defaults()).json().get("_id").asText()).isEqualTo("b1");
  }

  private long indexNamespaces() {
    return engine.listDatabases("", 1000).stream().filter(d -> d.name().startsWith("_own_")).count();
  }

  @Test
  void deleteDatabase_dropsTheIndexes() {
    alice.put(doc("a1"));
    bob.put(doc("b1"));
    assertThat(indexNamespaces()).isEqualTo(2);
    engine.deleteDatabase("shared");
    assertThat(indexNamespaces()).isZero();
    Database again = engine.createDatabase("shared");
    again.setSecurity(new SecurityObject(List.of(), List.of(), List.of("alice"), List.of(), true));
    assertThat(again.forUser(ALICE).changes(ChangesOptions.since(0)).results()).isEmpty();
  }

  @Test
  void repairOwnedIndex_examinesNewWritesOnce_andChangesNothingThatIsRight() {
    alice.put(doc("a1"));
    bob.put(doc("b1"));
    assertThat(db.repairOwnedIndex()).isEqualTo(2);
    long before = alice.changes(ChangesOptions.since(0)).lastSeq();
    assertThat(db.repairOwnedIndex()).isZero();
    alice.put(doc("a2"));
    assertThat(db.repairOwnedIndex()).isEqualTo(1);
    assertThat(alice.changes(ChangesOptions.since(0)).lastSeq()).isEqualTo(before + 1);
  }

  @Test
  void switchingOwnedOn_indexesTheDocumentsAlreadyThere() {
    Database plain = engine.createDatabase("later");
    plain.setSecurity(new SecurityObject(List.of(), List.of(), List.of("alice"), List.of()));
    plain.put(json("{'_id':'old','readers':['alice']}"));
    plain.put(doc("hidden"));
    plain.setSecurity(new SecurityObject(List.of(), List.of(), List.of("alice"), List.of(), true));
    assertThat(plain.repairOwnedIndex()).isEqualTo(2);
    assertThat(ids(plain.forUser(ALICE).changes(ChangesOptions.since(0)))).containsExactly("old");
  }
}
