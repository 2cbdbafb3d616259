package io.polysync.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.EngineError;
import io.polysync.spi.SyncException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Document validation as CouchDB's couch_doc:transfer_fields does it. */
final class DocParserTest {

  private static void assertCode(ObjectNode doc, boolean newEdits, EngineError code) {
    assertThatThrownBy(() -> DocParser.parse(doc, null, Map.of(), newEdits))
        .isInstanceOfSatisfying(SyncException.class, e -> assertThat(e.errorCode()).isEqualTo(code));
  }

  @Test
  void parse_unknownSpecialMember_isBadSpecialDocumentMember() {
    ObjectNode doc = Json.object().put("_id", "a").put("_foo", 1);
    assertThatThrownBy(() -> DocParser.parse(doc, null, Map.of(), true))
        .isInstanceOfSatisfying(SyncException.class, e -> {
          assertThat(e.errorCode()).isEqualTo(EngineError.INVALID_DOCUMENT);
          assertThat(e.getMessage()).isEqualTo("Bad special document member: _foo");
        });
  }

  @Test
  void parse_notAnObject_isInvalidDocument() {
    assertThatThrownBy(() -> DocParser.parse(Json.NODES.arrayNode(), null, Map.of(), true))
        .isInstanceOfSatisfying(SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(EngineError.INVALID_DOCUMENT));
  }

  @Test
  void parse_replicatedWithoutRev_isBadRequest() {
    assertCode(Json.object().put("_id", "a"), false, EngineError.BAD_REQUEST);
  }

  @Test
  void parse_underscoreId_isBadRequestUnlessDesign() {
    assertCode(Json.object().put("_id", "_foo"), true, EngineError.BAD_REQUEST);
    assertThat(DocParser.parse(Json.object().put("_id", "_design/x"), null, Map.of(), true).id())
        .isEqualTo("_design/x");
  }

  @Test
  void parse_revisions_buildsThePathNewestFirst() {
    ObjectNode doc = Json.object().put("_id", "a");
    doc.putObject("_revisions").put("start", 3).putArray("ids").add("c").add("b").add("a");
    ParsedDoc parsed = DocParser.parse(doc, null, Map.of(), false);
    assertThat(parsed.rev()).contains(Rev.parse("3-c"));
    assertThat(parsed.path()).extracting(Rev::toString).containsExactly("3-c", "2-b", "1-a");
  }

  @Test
  void parse_revisionsDisagreeingWithRev_isBadRequest() {
    ObjectNode doc = Json.object().put("_id", "a").put("_rev", "3-x");
    doc.putObject("_revisions").put("start", 3).putArray("ids").add("c");
    assertCode(doc, false, EngineError.BAD_REQUEST);
  }

  @Test
  void parse_badBase64_isInvalidAttachment() {
    ObjectNode doc = Json.object().put("_id", "a");
    doc.putObject("_attachments").putObject("f").put("data", "!!!");
    assertCode(doc, true, EngineError.INVALID_ATTACHMENT);
  }

  @Test
  void parse_outputOnlyMembers_areIgnored() {
    ObjectNode doc = Json.object().put("_id", "a").put("x", 1);
    doc.putArray("_conflicts").add("1-a");
    ParsedDoc parsed = DocParser.parse(doc, null, Map.of(), true);
    assertThat(parsed.body().properties()).extracting(Map.Entry::getKey).containsExactly("x");
  }
}
