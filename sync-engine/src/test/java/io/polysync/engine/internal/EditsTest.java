package io.polysync.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.EngineError;
import io.polysync.spi.SyncException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CouchDB's interactive-edit rules (couch.md A.15; couch_db.erl prep_and_validate_update). */
final class EditsTest {
  private final Map<String, byte[]> blobs = new HashMap<>();

  private Rev edit(RevTree tree, ObjectNode doc) {
    return Edits.applyInteractive(tree, DocParser.parse(doc, null, Map.of(), true), blobs);
  }

  private static ObjectNode doc(String rev) {
    ObjectNode doc = Json.object().put("_id", "d").put("v", 1);
    if (rev != null) {
      doc.put("_rev", rev);
    }
    return doc;
  }

  private static void assertCode(Runnable call, EngineError code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(
        SyncException.class, e -> assertThat(e.errorCode()).isEqualTo(code));
  }

  @Test
  void applyInteractive_newDocument_isGenerationOneWithHexHash() {
    Rev rev = edit(new RevTree(), doc(null));
    assertThat(rev.gen()).isEqualTo(1);
    assertThat(rev.hash()).matches("[0-9a-f]{32}");
  }

  @Test
  void applyInteractive_sameEditTwice_givesTheSameRevision() {
    assertThat(edit(new RevTree(), doc(null))).isEqualTo(edit(new RevTree(), doc(null)));
  }

  @Test
  void applyInteractive_memberOrder_doesNotChangeTheRevision() {
    ObjectNode a = Json.object().put("_id", "d").put("x", 1).put("y", 2);
    ObjectNode b = Json.object().put("y", 2).put("_id", "d").put("x", 1);
    assertThat(edit(new RevTree(), a)).isEqualTo(edit(new RevTree(), b));
  }

  @Test
  void applyInteractive_createExistingLiveDocument_conflicts() {
    RevTree tree = new RevTree();
    edit(tree, doc(null));
    assertCode(() -> edit(tree, doc(null)), EngineError.DOCUMENT_CONFLICT);
  }

  @Test
  void applyInteractive_staleRev_conflicts() {
    RevTree tree = new RevTree();
    Rev first = edit(tree, doc(null));
    edit(tree, doc(first.toString()).put("v", 2));
    assertCode(() -> edit(tree, doc(first.toString()).put("v", 3)), EngineError.DOCUMENT_CONFLICT);
  }

  @Test
  void applyInteractive_unknownRev_conflicts() {
    RevTree tree = new RevTree();
    edit(tree, doc(null));
    assertCode(() -> edit(tree, doc("1-00000000000000000000000000000000")), EngineError.DOCUMENT_CONFLICT);
    assertCode(() -> edit(new RevTree(), doc("1-00000000000000000000000000000000")), EngineError.DOCUMENT_CONFLICT);
  }

  @Test
  void applyInteractive_losingLeaf_canBeEdited() {
    RevTree tree = new RevTree();
    Trees.merge(tree, 2, "aaaa", "root");
    Trees.merge(tree, 2, "bbbb", "root");
    Rev rev = edit(tree, doc("2-aaaa"));
    assertThat(rev.gen()).isEqualTo(3);
    assertThat(Trees.leaves(tree)).containsExactly("2-bbbb", rev.toString());
  }

  @Test
  void applyInteractive_deletedWinnerWithoutRev_extendsTheDeletedLeaf() {
    RevTree tree = new RevTree();
    Rev first = edit(tree, doc(null));
    Rev tomb = edit(tree, doc(first.toString()).put("_deleted", true));
    Rev revived = edit(tree, doc(null));
    assertThat(revived.gen()).isEqualTo(3);
    assertThat(tree.node(revived).orElseThrow().parent()).contains(tomb);
    assertThat(tree.winner().deleted()).isFalse();
    assertThat(Trees.leaves(tree)).containsExactly(revived.toString());
  }

  @Test
  void applyInteractive_deleteDeletedWithoutRev_conflicts() {
    RevTree tree = new RevTree();
    Rev first = edit(tree, doc(null));
    edit(tree, doc(first.toString()).put("_deleted", true));
    assertCode(() -> edit(tree, doc(null).put("_deleted", true)), EngineError.DOCUMENT_CONFLICT);
  }

  @Test
  void applyInteractive_deleteNeverWritten_createsDeletedFirstRevision() {
    RevTree tree = new RevTree();
    Rev rev = edit(tree, doc(null).put("_deleted", true));
    assertThat(rev.gen()).isEqualTo(1);
    assertThat(tree.winner().deleted()).isTrue();
  }

  @Test
  void applyReplicated_sameRevTwice_isIdempotent() {
    RevTree tree = new RevTree();
    ObjectNode doc = Json.object().put("_id", "d").put("_rev", "2-b");
    doc.putObject("_revisions").put("start", 2).putArray("ids").add("b").add("a");
    ParsedDoc parsed = DocParser.parse(doc, null, Map.of(), false);
    assertThat(Edits.applyReplicated(tree, parsed, blobs)).isTrue();
    assertThat(Edits.applyReplicated(tree, parsed, blobs)).isFalse();
    assertThat(Trees.shape(tree)).containsExactly("1-a<", "2-b<1-a");
  }

  @Test
  void applyInteractive_stubOfParentAttachment_keepsItsMetadata() {
    RevTree tree = new RevTree();
    ObjectNode first = doc(null);
    first.putObject("_attachments").putObject("a.txt").put("content_type", "text/plain")
        .put("data", "SGVsbG8gd29ybGQ=");
    Rev r1 = edit(tree, first);
    ObjectNode second = doc(r1.toString()).put("v", 2);
    second.putObject("_attachments").putObject("a.txt").put("stub", true);
    Rev r2 = edit(tree, second);
    AttachmentMeta meta = tree.node(r2).orElseThrow().attachments().get("a.txt");
    assertThat(meta.digest()).isEqualTo("md5-PiWWCnnbxptnTNTsZ6csYg==");
    assertThat(meta.revpos()).isEqualTo(1);
    assertThat(meta.length()).isEqualTo(11);
  }

  @Test
  void applyInteractive_stubWithoutParentAttachment_isMissingStub() {
    RevTree tree = new RevTree();
    Rev r1 = edit(tree, doc(null));
    ObjectNode second = doc(r1.toString());
    second.putObject("_attachments").putObject("nope.txt").put("stub", true);
    assertCode(() -> edit(tree, second), EngineError.MISSING_STUB);
    assertThat(Trees.leaves(tree)).containsExactly(r1.toString());
  }

  @Test
  void applyInteractive_changedAttachment_getsTheNewGenerationAsRevpos() {
    RevTree tree = new RevTree();
    ObjectNode first = doc(null);
    first.putObject("_attachments").putObject("a.txt").put("data", "SGVsbG8gd29ybGQ=");
    Rev r1 = edit(tree, first);
    ObjectNode second = doc(r1.toString());
    second.putObject("_attachments").putObject("a.txt").put("data", "aGVsbG8gd29ybGQ=");
    Rev r2 = edit(tree, second);
    AttachmentMeta meta = tree.node(r2).orElseThrow().attachments().get("a.txt");
    assertThat(meta.revpos()).isEqualTo(2);
    assertThat(meta.digest()).isEqualTo("md5-XrY7u+Ae7tCTyyK7j1rNww==");
    assertThat(meta.contentType()).isEqualTo("application/octet-stream");
  }
}
