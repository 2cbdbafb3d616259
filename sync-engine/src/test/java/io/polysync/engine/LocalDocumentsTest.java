package io.polysync.engine;

import static io.polysync.engine.TestDocs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.spi.SyncException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CouchDB _local documents (couch.md A.10): {@code 0-N} revisions, not replicated. */
final class LocalDocumentsTest {
  private final SyncEngine engine = TestStorages.memoryEngine();
  private final Database db = engine.createDatabase("locals");

  @AfterEach
  void close() {
    engine.close();
  }

  private static void assertCode(Runnable call, EngineError code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(
        SyncException.class, e -> assertThat(e.errorCode()).isEqualTo(code));
  }

  @Test
  void putLocal_new_isRevisionZeroOne_andReadBackVerbatim() {
    var checkpoint = json("{'session_id':'s1','history':[{'last_seq':5}],'last_seq':5,'version':1}");
    assertThat(db.putLocal("_local/abc", checkpoint)).isEqualTo("0-1");
    var got = db.getLocal("_local/abc").orElseThrow();
    assertThat(got.get("_id").asText()).isEqualTo("_local/abc");
    assertThat(got.get("_rev").asText()).isEqualTo("0-1");
    assertThat(got.get("history").get(0).get("last_seq").asInt()).isEqualTo(5);
    assertThat(got.get("session_id").asText()).isEqualTo("s1");
  }

  @Test
  void putLocal_withCurrentRev_incrementsIt() {
    db.putLocal("cp", json("{'v':1}"));
    assertThat(db.putLocal("cp", json("{'_rev':'0-1','v':2}"))).isEqualTo("0-2");
    assertThat(db.getLocal("_local/cp").orElseThrow().get("v").asInt()).isEqualTo(2);
  }

  @Test
  void putLocal_existingWithoutRevOrStale_conflicts() {
    db.putLocal("cp", json("{'v':1}"));
    db.putLocal("cp", json("{'_rev':'0-1','v':2}"));
    assertCode(() -> db.putLocal("cp", json("{'v':3}")), EngineError.DOCUMENT_CONFLICT);
    assertCode(() -> db.putLocal("cp", json("{'_rev':'0-1','v':3}")), EngineError.DOCUMENT_CONFLICT);
  }

  @Test
  void putLocal_withAttachments_isRejected() {
    assertCode(() -> db.putLocal("cp", json("{'_attachments':{'a':{'data':''}}}")), EngineError.INVALID_DOCUMENT);
  }

  @Test
  void getLocal_missing_isEmpty() {
    assertThat(db.getLocal("_local/none")).isEmpty();
  }

  @Test
  void deleteLocal_currentRev_removesIt_staleConflicts_missingNotFound() {
    db.putLocal("cp", json("{'v':1}"));
    db.putLocal("cp", json("{'_rev':'0-1','v':2}"));
    assertCode(() -> db.deleteLocal("cp", "0-1"), EngineError.DOCUMENT_CONFLICT);
    db.deleteLocal("_local/cp", "0-2");
    assertThat(db.getLocal("cp")).isEmpty();
    assertCode(() -> db.deleteLocal("cp", "0-2"), EngineError.DOCUMENT_NOT_FOUND);
  }

  @Test
  void localDocuments_areNotInChangesOrAllDocs() {
    db.putLocal("cp", json("{'v':1}"));
    assertThat(db.changes(ChangesOptions.since(0)).results()).isEmpty();
    assertThat(db.allDocs(AllDocsOptions.defaults()).rows()).isEmpty();
    assertThat(db.info().updateSeq()).isZero();
  }

  @Test
  void bulkDocs_localId_isWrittenAsLocalDocument() {
    List<WriteOutcome> out = db.bulkDocs(List.of(DocumentWrite.of(json("{'_id':'_local/x','v':1}"))), true);
    assertThat(out.get(0)).isInstanceOfSatisfying(WriteOutcome.Ok.class, ok -> assertThat(ok.rev()).isEqualTo("0-1"));
    assertThat(db.get("_local/x", ReadOptions.defaults()).json().get("v").asInt()).isEqualTo(1);
  }

  @Test
  void localDocs_inIdOrder_pagedAfterAnId_asGetLocalReadsThem() {
    db.putLocal("_local/b", json("{'v':'b'}"));
    db.putLocal("a", json("{'v':'a'}"));
    db.putLocal("c", json("{'v':'c1'}"));
    db.putLocal("c", json("{'_rev':'0-1','v':'c2'}"));
    var first = db.localDocs("", 2);
    assertThat(first).extracting(d -> d.get("_id").asText()).containsExactly("_local/a", "_local/b");
    assertThat(first.get(0)).isEqualTo(db.getLocal("a").orElseThrow());
    var rest = db.localDocs("b", 10);
    assertThat(rest).hasSize(1);
    assertThat(rest.get(0).get("_rev").asText()).isEqualTo("0-2");
    assertThat(rest.get(0).get("v").asText()).isEqualTo("c2");
    assertCode(() -> engine.database("missing").localDocs("", 10), EngineError.DATABASE_NOT_FOUND);
  }
}
