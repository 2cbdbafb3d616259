package io.polysync.engine;

import static io.polysync.engine.TestDocs.doc;
import static io.polysync.engine.TestDocs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Attachments as CouchDB and PouchDB handle them (couch.md A.9). */
final class AttachmentsTest {
  private final SyncEngine engine = TestStorages.memoryEngine();
  private final Database db = engine.createDatabase("atts");

  @AfterEach
  void close() {
    engine.close();
  }

  private static ObjectNode withInline(ObjectNode doc, String name, String type, String base64) {
    doc.withObject("_attachments").putObject(name).put("content_type", type).put("data", base64);
    return doc;
  }

  @Test
  void put_inlineAttachment_storesStubWithDigestLengthRevpos() {
    db.put(withInline(doc("a"), "hello.txt", "text/plain", "SGVsbG8gd29ybGQ="));
    var att = db.get("a", ReadOptions.defaults()).json().get("_attachments").get("hello.txt");
    assertThat(att.get("digest").asText()).isEqualTo("md5-PiWWCnnbxptnTNTsZ6csYg==");
    assertThat(att.get("length").asInt()).isEqualTo(11);
    assertThat(att.get("revpos").asInt()).isEqualTo(1);
    assertThat(att.get("stub").asBoolean()).isTrue();
    assertThat(att.get("content_type").asText()).isEqualTo("text/plain");
    assertThat(att.has("data")).isFalse();
  }

  @Test
  void get_attachmentsTrue_inlinesBase64() {
    db.put(withInline(doc("a"), "hello.txt", "text/plain", "SGVsbG8gd29ybGQ="));
    var att = db.get("a", ReadOptions.defaults().withAttachments(true)).json().get("_attachments").get("hello.txt");
    assertThat(att.get("data").asText()).isEqualTo("SGVsbG8gd29ybGQ=");
    assertThat(att.has("stub")).isFalse();
  }

  @Test
  void attachment_byName_returnsBytesAndType_forWinnerAndOlderLeaf() {
    String r1 = db.put(withInline(doc("a"), "f", "text/plain", "SGVsbG8gd29ybGQ=")).rev();
    Attachment att = db.attachment("a", "f");
    assertThat(new String(att.data(), StandardCharsets.UTF_8)).isEqualTo("Hello world");
    assertThat(att.contentType()).isEqualTo("text/plain");
    assertThat(db.attachment("a", "f", r1).digest()).isEqualTo("md5-PiWWCnnbxptnTNTsZ6csYg==");
    assertThatThrownBy(() -> db.attachment("a", "nope")).isInstanceOfSatisfying(SyncException.class,
        e -> assertThat(e.errorCode()).isEqualTo(EngineError.ATTACHMENT_NOT_FOUND));
  }

  @Test
  void put_stubOfExistingAttachment_keepsItAcrossRevisions() {
    String r1 = db.put(withInline(doc("a"), "f", "text/plain", "SGVsbG8gd29ybGQ=")).rev();
    ObjectNode next = doc("a").put("_rev", r1).put("v", 2);
    next.withObject("_attachments").putObject("f").put("stub", true).put("digest", "md5-PiWWCnnbxptnTNTsZ6csYg==");
    String r2 = db.put(next).rev();
    assertThat(r2).startsWith("2-");
    assertThat(new String(db.attachment("a", "f").data(), StandardCharsets.UTF_8)).isEqualTo("Hello world");
    assertThat(db.get("a", ReadOptions.defaults()).json().at("/_attachments/f/revpos").asInt()).isEqualTo(1);
  }

  @Test
  void put_stubOfUnknownAttachment_isMissingStub() {
    String r1 = db.put(doc("a")).rev();
    ObjectNode next = doc("a").put("_rev", r1);
    next.withObject("_attachments").putObject("f").put("stub", true);
    assertThatThrownBy(() -> db.put(next)).isInstanceOfSatisfying(SyncException.class,
        e -> assertThat(e.errorCode()).isEqualTo(EngineError.MISSING_STUB));
  }

  @Test
  void put_followsBytes_areStoredAsGiven() {
    ObjectNode d = doc("m");
    d.withObject("_attachments").putObject("raw.bin").put("follows", true).put("content_type", "application/x-raw");
    byte[] bytes = {0, 1, 2, (byte) 255};
    db.put(new DocumentWrite(d, Map.of("raw.bin", bytes)), true);
    assertThat(db.attachment("m", "raw.bin").data()).containsExactly(bytes);
  }

  @Test
  void put_gzipEncoded_keepsEncodingLengthsAndGivenDigest() {
    ObjectNode d = json("{'_id':'z','_rev':'1-aaaa','_revisions':{'start':1,'ids':['aaaa']}}");
    d.withObject("_attachments").putObject("big.txt").put("follows", true).put("content_type", "text/plain")
        .put("encoding", "gzip").put("length", 100).put("digest", "md5-fromTheSource0000000==").put("revpos", 1);
    byte[] gz = {31, (byte) 139, 8, 0, 1, 2, 3};
    db.put(new DocumentWrite(d, Map.of("big.txt", gz)), false);
    var att = db.get("z", ReadOptions.defaults()).json().at("/_attachments/big.txt");
    assertThat(att.get("encoding").asText()).isEqualTo("gzip");
    assertThat(att.get("encoded_length").asInt()).isEqualTo(7);
    assertThat(att.get("length").asInt()).isEqualTo(100);
    assertThat(att.get("digest").asText()).isEqualTo("md5-fromTheSource0000000==");
    Attachment raw = db.attachment("z", "big.txt");
    assertThat(raw.encoding()).contains("gzip");
    assertThat(raw.data()).containsExactly(gz);
  }

  @Test
  void get_attsSince_inlinesOnlyAttachmentsNewerThanTheGivenRevision() {
    String r1 = db.put(withInline(doc("s"), "old", "text/plain", "SGVsbG8gd29ybGQ=")).rev();
    ObjectNode next = withInline(doc("s").put("_rev", r1), "new", "text/plain", "aGVsbG8gd29ybGQ=");
    next.withObject("_attachments").putObject("old").put("stub", true);
    db.put(next);
    var atts = db.get("s", ReadOptions.defaults().withAttsSince(List.of(r1))).json().get("_attachments");
    assertThat(atts.get("old").has("stub")).isTrue();
    assertThat(atts.get("new").get("data").asText()).isEqualTo("aGVsbG8gd29ybGQ=");
  }

  @Test
  void put_replicatedWithDigestMismatch_isInvalidAttachment() {
    ObjectNode d = json("{'_id':'x','_rev':'1-aaaa'}");
    d.withObject("_attachments").putObject("f").put("data", "SGVsbG8gd29ybGQ=").put("digest", "md5-XrY7u+Ae7tCTyyK7j1rNww==");
    WriteOutcome out = db.bulkDocs(List.of(DocumentWrite.of(d)), false).get(0);
    assertThat(out).isInstanceOfSatisfying(WriteOutcome.Failed.class,
        f -> assertThat(f.error()).isEqualTo(EngineError.INVALID_ATTACHMENT));
  }

  @Test
  void put_replicatedStubs_resolveAgainstTheStoredAncestor() {
    ObjectNode first = withInline(json("{'_id':'p','_rev':'1-aaaa'}"), "f", "text/plain", "SGVsbG8gd29ybGQ=");
    db.bulkDocs(List.of(DocumentWrite.of(first)), false);
    ObjectNode second = json("{'_id':'p','_rev':'2-bbbb','_revisions':{'start':2,'ids':['bbbb','aaaa']}}");
    second.withObject("_attachments").putObject("f").put("stub", true).put("revpos", 1);
    assertThat(db.bulkDocs(List.of(DocumentWrite.of(second)), false).get(0)).isInstanceOf(WriteOutcome.Ok.class);
    assertThat(new String(db.attachment("p", "f", "2-bbbb").data(), StandardCharsets.UTF_8)).isEqualTo("Hello world");
  }

  @Test
  void putAttachment_onLeaf_addsItAndKeepsTheRest() {
    String r1 = db.put(withInline(doc("p").put("title", "t"), "one", "text/plain", "SGVsbG8gd29ybGQ=")).rev();
    WriteOutcome.Ok ok = db.putAttachment("p", r1, "two", "text/plain", "hello world".getBytes(StandardCharsets.UTF_8));
    var got = db.get("p", ReadOptions.defaults()).json();
    assertThat(got.get("_rev").asText()).isEqualTo(ok.rev()).startsWith("2-");
    assertThat(got.get("title").asText()).isEqualTo("t");
    assertThat(got.at("/_attachments/one/revpos").asInt()).isEqualTo(1);
    assertThat(got.at("/_attachments/two/digest").asText()).isEqualTo("md5-XrY7u+Ae7tCTyyK7j1rNww==");
    assertThat(got.at("/_attachments/two/revpos").asInt()).isEqualTo(2);
    assertThatThrownBy(() -> db.putAttachment("p", r1, "three", "text/plain", new byte[1]))
        .isInstanceOfSatisfying(SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(EngineError.DOCUMENT_CONFLICT));
  }

  @Test
  void deleteAttachment_removesOnlyThatOne() {
    String r1 = db.put(withInline(withInline(doc("q"), "a", "text/plain", "SGVsbG8gd29ybGQ="),
        "b", "text/plain", "aGVsbG8gd29ybGQ=")).rev();
    db.deleteAttachment("q", r1, "a");
    var atts = db.get("q", ReadOptions.defaults()).json().get("_attachments");
    assertThat(atts.has("a")).isFalse();
    assertThat(atts.has("b")).isTrue();
  }

  @Test
  void putAttachment_withoutRevOnNewDocument_createsIt() {
    WriteOutcome.Ok ok = db.putAttachment("n", null, "f", "image/png", new byte[] {1, 2, 3});
    assertThat(ok.rev()).startsWith("1-");
    assertThat(db.attachment("n", "f").contentType()).isEqualTo("image/png");
  }
}
