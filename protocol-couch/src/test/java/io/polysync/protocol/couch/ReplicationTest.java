package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What PouchDB and CouchDB's replicator send, with the answers they need. */
final class ReplicationTest {
  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() {
    server = new TestServer(dir);
    server.json("PUT", "/db/", "");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void ensureFullCommit_is201WithInstanceStartTime() {
    HttpResponse<String> res = server.json("POST", "/db/_ensure_full_commit", "");
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat(res.body()).isEqualTo("{\"ok\":true,\"instance_start_time\":\"0\"}");
  }

  @Test
  void bulkDocs_newEditsFalse_is201EmptyList_andConflictsTravel() {
    String body = "{\"new_edits\":false,\"docs\":["
        + "{\"_id\":\"d\",\"_rev\":\"2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"_revisions\":{\"start\":2,\"ids\":"
        + "[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"11111111111111111111111111111111\"]},\"v\":\"a\"},"
        + "{\"_id\":\"d\",\"_rev\":\"2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"_revisions\":{\"start\":2,\"ids\":"
        + "[\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"11111111111111111111111111111111\"]},\"v\":\"b\"}]}";
    HttpResponse<String> res = server.json("POST", "/db/_bulk_docs", body);
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat(res.body()).isEqualTo("[]");

    JsonNode doc = Json.parse(server.get("/db/d?conflicts=true").body());
    assertThat(doc.get("_rev").asText()).isEqualTo("2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    assertThat(doc.get("_conflicts").get(0).asText()).isEqualTo("2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

    JsonNode changes = Json.parse(server.get("/db/_changes?style=all_docs").body());
    assertThat(changes.get("results").get(0).get("changes")).hasSize(2);
  }

  @Test
  void bulkDocs_interactive_reportsPerDocument() {
    server.json("PUT", "/db/taken", "{}");
    HttpResponse<String> res = server.json("POST", "/db/_bulk_docs", "{\"docs\":[{\"_id\":\"new\"},{\"_id\":\"taken\"}]}");
    assertThat(res.statusCode()).isEqualTo(201);
    JsonNode list = Json.parse(res.body());
    assertThat(list.get(0).get("ok").asBoolean()).isTrue();
    assertThat(list.get(0).get("rev").asText()).startsWith("1-");
    assertThat(list.get(1).get("id").asText()).isEqualTo("taken");
    assertThat(list.get(1).get("error").asText()).isEqualTo("conflict");
  }

  @Test
  void revsDiff_reportsOnlyMissing() {
    String rev = Json.parse(server.json("PUT", "/db/a", "{}").body()).get("rev").asText();
    JsonNode diff = Json.parse(server.json("POST", "/db/_revs_diff",
        "{\"a\":[\"" + rev + "\",\"2-cccccccccccccccccccccccccccccccc\"],\"b\":[\"1-dddddddddddddddddddddddddddddddd\"]}").body());
    assertThat(diff.get("a").get("missing").toString()).isEqualTo("[\"2-cccccccccccccccccccccccccccccccc\"]");
    assertThat(diff.get("a").get("possible_ancestors").toString()).isEqualTo("[\"" + rev + "\"]");
    assertThat(diff.get("b").get("missing").toString()).isEqualTo("[\"1-dddddddddddddddddddddddddddddddd\"]");

    assertThat(server.json("POST", "/db/_revs_diff", "{\"a\":[\"" + rev + "\"]}").body()).isEqualTo("{}");
  }

  @Test
  void bulkGet_resultsInRequestOrder() {
    String revB = Json.parse(server.json("PUT", "/db/b", "{\"n\":2}").body()).get("rev").asText();
    String revA = Json.parse(server.json("PUT", "/db/a", "{\"n\":1}").body()).get("rev").asText();
    JsonNode res = Json.parse(server.json("POST", "/db/_bulk_get?revs=true&latest=true",
        "{\"docs\":[{\"id\":\"b\",\"rev\":\"" + revB + "\"},{\"id\":\"missing\"},{\"id\":\"a\",\"rev\":\"" + revA + "\"}]}")
        .body());
    JsonNode results = res.get("results");
    assertThat(results).hasSize(3);
    assertThat(results.get(0).get("id").asText()).isEqualTo("b");
    assertThat(results.get(0).get("docs").get(0).get("ok").get("_revisions").get("start").asInt()).isEqualTo(1);
    assertThat(results.get(1).get("docs").get(0).get("error").get("error").asText()).isEqualTo("not_found");
    assertThat(results.get(2).get("docs").get(0).get("ok").get("n").asInt()).isEqualTo(1);
  }

  @Test
  void openRevs_json_forPouchDbFallback() {
    String rev = Json.parse(server.json("PUT", "/db/a", "{\"n\":1}").body()).get("rev").asText();
    HttpResponse<String> res = server.send(server.request(
        "/db/a?revs=true&latest=true&open_revs=%5B%22" + rev + "%22%2C%221-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee%22%5D")
        .header("Accept", "application/json").GET().build());
    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode list = Json.parse(res.body());
    assertThat(list.get(0).get("ok").get("_rev").asText()).isEqualTo(rev);
    assertThat(list.get(1).toString()).isEqualTo("{\"missing\":\"1-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\"}");
  }

  @Test
  void openRevs_multipartMixed_withAttachmentsFollowing() {
    String put = "{\"_attachments\":{\"dir/file.txt\":{\"content_type\":\"text/plain\",\"data\":\""
        + Base64.getEncoder().encodeToString("attached".getBytes(StandardCharsets.UTF_8)) + "\"}},\"n\":1}";
    String rev = Json.parse(server.json("PUT", "/db/a", put).body()).get("rev").asText();
    HttpResponse<String> res = server.send(server.request("/db/a?revs=true&latest=true&open_revs=%5B%22" + rev
            + "%22%2C%221-ffffffffffffffffffffffffffffffff%22%5D&atts_since=%5B%5D")
        .header("Accept", "multipart/mixed").GET().build());
    assertThat(res.statusCode()).isEqualTo(200);
    String type = res.headers().firstValue("Content-Type").orElseThrow();
    assertThat(type).startsWith("multipart/mixed");
    String boundary = Multipart.parameter(type, "boundary").orElseThrow();
    var parts = Multipart.parse(res.body().getBytes(StandardCharsets.UTF_8), boundary);
    assertThat(parts).hasSize(2);

    var related = parts.get(0);
    String relatedType = related.header("content-type").orElseThrow();
    assertThat(relatedType).startsWith("multipart/related");
    var inner = Multipart.parse(related.body(), Multipart.parameter(relatedType, "boundary").orElseThrow());
    assertThat(inner).hasSize(2);
    JsonNode doc = Json.parse(new String(inner.get(0).body(), StandardCharsets.UTF_8));
    assertThat(doc.get("_rev").asText()).isEqualTo(rev);
    assertThat(doc.get("_attachments").get("dir/file.txt").get("follows").asBoolean()).isTrue();
    assertThat(doc.get("_revisions").get("start").asInt()).isEqualTo(1);
    assertThat(inner.get(1).filename()).hasValue("dir/file.txt");
    assertThat(new String(inner.get(1).body(), StandardCharsets.UTF_8)).isEqualTo("attached");

    var missing = parts.get(1);
    assertThat(missing.header("content-type").orElseThrow()).isEqualTo("application/json; error=\"true\"");
    assertThat(new String(missing.body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"missing\":\"1-ffffffffffffffffffffffffffffffff\"}");
  }

  @Test
  void multipartPut_newEditsFalse_withGzipAttachment() throws Exception {
    byte[] content = "compressed content, compressed content".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(content);
    }
    byte[] encoded = gz.toByteArray();
    String digest = "md5-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(encoded));
    String json = "{\"_id\":\"m\",\"_rev\":\"2-22222222222222222222222222222222\",\"_revisions\":{\"start\":2,\"ids\":"
        + "[\"22222222222222222222222222222222\",\"11111111111111111111111111111111\"]},\"k\":\"v\","
        + "\"_attachments\":{\"a/b.txt\":{\"follows\":true,\"content_type\":\"text/plain\",\"length\":" + content.length
        + ",\"encoding\":\"gzip\",\"encoded_length\":" + encoded.length + ",\"revpos\":2,\"digest\":\"" + digest + "\"}}}";
    String boundary = "e3c1f9";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Type: application/json\r\n\r\n" + json + "\r\n--" + boundary
        + "\r\nContent-Disposition: attachment; filename=\"a/b.txt\"\r\nContent-Type: text/plain\r\n"
        + "Content-Length: " + encoded.length + "\r\nContent-Encoding: gzip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(encoded);
    body.writeBytes(("\r\n--" + boundary + "--").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> res = server.send(server.request("/db/m?new_edits=false")
        .header("Content-Type", "multipart/related; boundary=\"" + boundary + "\"")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat(Json.parse(res.body()).get("rev").asText()).isEqualTo("2-22222222222222222222222222222222");

    // Raw path routing: the name's slash may come encoded or not.
    HttpResponse<byte[]> att = server.sendBytes(server.request("/db/m/a%2Fb.txt").GET().build());
    assertThat(att.statusCode()).isEqualTo(200);
    assertThat(att.body()).isEqualTo(content);
    assertThat(att.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(server.sendBytes(server.request("/db/m/a/b.txt").GET().build()).body()).isEqualTo(content);

    JsonNode inline = Json.parse(server.get("/db/m?attachments=true").body());
    assertThat(Base64.getDecoder().decode(inline.get("_attachments").get("a/b.txt").get("data").asText()))
        .isEqualTo(content);
  }

  @Test
  void standaloneAttachment_putGetDelete() {
    String rev = Json.parse(server.json("PUT", "/db/doc", "{}").body()).get("rev").asText();
    HttpResponse<String> put = server.send(server.request("/db/doc/img%2Fpixel.png?rev=" + rev)
        .header("Content-Type", "image/png").PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})).build());
    assertThat(put.statusCode()).isEqualTo(201);
    String rev2 = Json.parse(put.body()).get("rev").asText();
    HttpResponse<byte[]> got = server.sendBytes(server.request("/db/doc/img/pixel.png?rev=" + rev2).GET().build());
    assertThat(got.body()).containsExactly(1, 2, 3);
    assertThat(got.headers().firstValue("Content-Type")).hasValue("image/png");
    JsonNode doc = Json.parse(server.get("/db/doc").body());
    assertThat(doc.get("_attachments").get("img/pixel.png").get("digest").asText()).startsWith("md5-");
    assertThat(server.delete("/db/doc/img%2Fpixel.png?rev=" + rev2).statusCode()).isEqualTo(200);
    assertThat(server.get("/db/doc/img%2Fpixel.png").statusCode()).isEqualTo(404);
  }

  @Test
  void localDocs_encodedIds_roundTrip() {
    HttpResponse<String> put = server.json("PUT", "/db/_local/TNTGcnXlP1Na1TNzkel3Cg%3D%3D",
        "{\"last_seq\":7,\"history\":[]}");
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(put.body()).isEqualTo("{\"ok\":true,\"id\":\"_local/TNTGcnXlP1Na1TNzkel3Cg==\",\"rev\":\"0-1\"}");
    JsonNode got = Json.parse(server.get("/db/_local/TNTGcnXlP1Na1TNzkel3Cg%3D%3D").body());
    assertThat(got.get("_id").asText()).isEqualTo("_local/TNTGcnXlP1Na1TNzkel3Cg==");
    assertThat(got.get("last_seq").asInt()).isEqualTo(7);
    assertThat(server.json("PUT", "/db/_local/TNTGcnXlP1Na1TNzkel3Cg%3D%3D", "{\"last_seq\":8}").statusCode())
        .isEqualTo(409);
    assertThat(server.json("PUT", "/db/_local/TNTGcnXlP1Na1TNzkel3Cg%3D%3D", "{\"_rev\":\"0-1\",\"last_seq\":8}")
        .statusCode()).isEqualTo(201);
    assertThat(Json.parse(server.get("/db/_changes").body()).get("results")).isEmpty();
    assertThat(server.get("/db/_local/other").statusCode()).isEqualTo(404);
  }

  @Test
  void designDocs_keepTheirLiteralSlash() {
    assertThat(server.json("PUT", "/db/_design/app", "{\"language\":\"query\"}").statusCode()).isEqualTo(201);
    assertThat(Json.parse(server.get("/db/_design/app").body()).get("_id").asText()).isEqualTo("_design/app");
    assertThat(Json.parse(server.get("/db/_design%2Fapp").body()).get("_id").asText()).isEqualTo("_design/app");
  }

  @Test
  void documentGet_etagIsQuotedRev() {
    String rev = Json.parse(server.json("PUT", "/db/a%2Fb", "{}").body()).get("rev").asText();
    HttpResponse<String> res = server.get("/db/a%2Fb");
    assertThat(res.headers().firstValue("ETag")).hasValue("\"" + rev + "\"");
    assertThat(Json.parse(res.body()).get("_id").asText()).isEqualTo("a/b");
  }

  @Test
  void attachmentOfAnOlderRevision_isServedWhileUnchanged() {
    String put = "{\"_attachments\":{\"a.txt\":{\"content_type\":\"text/plain\",\"data\":\""
        + Base64.getEncoder().encodeToString("first".getBytes(StandardCharsets.UTF_8)) + "\"}}}";
    String rev1 = Json.parse(server.json("PUT", "/db/d", put).body()).get("rev").asText();
    String rev2 = Json.parse(server.json("PUT", "/db/d",
        "{\"_rev\":\"" + rev1 + "\",\"x\":1,\"_attachments\":{\"a.txt\":{\"stub\":true}}}").body())
        .get("rev").asText();
    assertThat(rev2).startsWith("2-");
    HttpResponse<String> old = server.get("/db/d/a.txt?rev=" + rev1);
    assertThat(old.statusCode()).isEqualTo(200);
    assertThat(old.body()).isEqualTo("first");

    String rev3 = Json.parse(server.json("PUT", "/db/d", "{\"_rev\":\"" + rev2 + "\",\"_attachments\":"
        + "{\"a.txt\":{\"content_type\":\"text/plain\",\"data\":\""
        + Base64.getEncoder().encodeToString("third".getBytes(StandardCharsets.UTF_8)) + "\"}}}").body())
        .get("rev").asText();
    assertThat(server.get("/db/d/a.txt?rev=" + rev3).body()).isEqualTo("third");
    // Changed since: the old bytes are gone (no interior bodies), so it is not found, never wrong.
    assertThat(server.get("/db/d/a.txt?rev=" + rev1).statusCode()).isEqualTo(404);
    assertThat(server.get("/db/d/a.txt?rev=1-00000000000000000000000000000000").statusCode()).isEqualTo(404);
  }
}
