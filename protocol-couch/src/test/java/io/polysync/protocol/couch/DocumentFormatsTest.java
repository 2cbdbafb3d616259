package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Document answers beyond plain JSON: attachment encoding details and multipart/related bodies. */
final class DocumentFormatsTest {
  static final String RECIPE = "1. Take R 2. Take E 3. Mix with L 4. Add some A 5. Serve with X 6. Eat slowly, with great care";
  static final byte[] CONTENT = "compressed content, compressed content, compressed content"
      .getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  TestServer server;
  byte[] encoded;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(dir);
    server.json("PUT", "/db", "");
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(CONTENT);
    }
    encoded = gz.toByteArray();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Doc "z" at 1-…, with "plain.txt" as given and "zipped.txt" stored gzip-encoded (as CouchDB's replicator pushes it). */
  private String putDocWithGzipAttachment() throws Exception {
    String digest = "md5-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(encoded));
    String json = "{\"_id\":\"z\",\"_rev\":\"1-11111111111111111111111111111111\",\"k\":\"v\",\"_attachments\":{"
        + "\"plain.txt\":{\"content_type\":\"text/plain\",\"data\":\""
        + Base64.getEncoder().encodeToString("plain".getBytes(StandardCharsets.UTF_8)) + "\"},"
        + "\"zipped.txt\":{\"follows\":true,\"content_type\":\"text/plain\",\"length\":" + CONTENT.length
        + ",\"encoding\":\"gzip\",\"encoded_length\":" + encoded.length + ",\"revpos\":1,\"digest\":\"" + digest + "\"}}}";
    String boundary = "b0und";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Type: application/json\r\n\r\n" + json + "\r\n--" + boundary
        + "\r\nContent-Disposition: attachment; filename=\"zipped.txt\"\r\nContent-Type: text/plain\r\n"
        + "Content-Length: " + encoded.length + "\r\nContent-Encoding: gzip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(encoded);
    body.writeBytes(("\r\n--" + boundary + "--").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> res = server.send(server.request("/db/z?new_edits=false")
        .header("Content-Type", "multipart/related; boundary=\"" + boundary + "\"")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    assertThat(res.statusCode()).isEqualTo(201);
    return digest;
  }

  // --- att_encoding_info ---

  @Test
  void attEncodingInfo_addsEncodingToStubsOfEncodedAttachmentsOnly() throws Exception {
    String digest = putDocWithGzipAttachment();
    JsonNode plain = Json.parse(server.get("/db/z").body()).get("_attachments");
    // CouchDB's default stub: no encoding details; length is the decoded length.
    assertThat(plain.get("zipped.txt").has("encoding")).isFalse();
    assertThat(plain.get("zipped.txt").has("encoded_length")).isFalse();
    assertThat(plain.get("zipped.txt").get("length").asInt()).isEqualTo(CONTENT.length);

    JsonNode info = Json.parse(server.get("/db/z?att_encoding_info=true").body()).get("_attachments");
    // The shape of the CouchDB documentation's example (GET /recipes/SpaghettiWithMeatballs?att_encoding_info=true).
    assertThat(Json.parse(info.get("zipped.txt").toString())).isEqualTo(Json.parse("{\"content_type\":\"text/plain\","
        + "\"revpos\":1,\"digest\":\"" + digest + "\",\"length\":" + CONTENT.length + ",\"encoding\":\"gzip\","
        + "\"encoded_length\":" + encoded.length + ",\"stub\":true}"));
    assertThat(info.get("plain.txt").has("encoding")).isFalse();
    assertThat(info.get("plain.txt").get("stub").asBoolean()).isTrue();
  }

  @Test
  void attEncodingInfo_onOpenRevsAndBulkGet() throws Exception {
    putDocWithGzipAttachment();
    JsonNode openRevs = Json.parse(server.get("/db/z?open_revs=all&att_encoding_info=true").body());
    assertThat(openRevs.get(0).get("ok").get("_attachments").get("zipped.txt").get("encoding").asText()).isEqualTo("gzip");
    JsonNode withoutInfo = Json.parse(server.get("/db/z?open_revs=all").body());
    assertThat(withoutInfo.get(0).get("ok").get("_attachments").get("zipped.txt").has("encoding")).isFalse();

    String request = "{\"docs\":[{\"id\":\"z\"}]}";
    JsonNode bulk = Json.parse(server.json("POST", "/db/_bulk_get?att_encoding_info=true", request).body());
    JsonNode stub = bulk.get("results").get(0).get("docs").get(0).get("ok").get("_attachments").get("zipped.txt");
    assertThat(stub.get("encoded_length").asInt()).isEqualTo(encoded.length);
    JsonNode bulkPlain = Json.parse(server.json("POST", "/db/_bulk_get", request).body());
    assertThat(bulkPlain.get("results").get(0).get("docs").get(0).get("ok").get("_attachments").get("zipped.txt")
        .has("encoding")).isFalse();
  }

  @Test
  void attEncodingInfo_withInlineData_stillDecodesForJson() throws Exception {
    putDocWithGzipAttachment();
    JsonNode att = Json.parse(server.get("/db/z?attachments=true&att_encoding_info=true").body())
        .get("_attachments").get("zipped.txt");
    assertThat(Base64.getDecoder().decode(att.get("data").asText())).isEqualTo(CONTENT);
    assertThat(att.has("encoding")).isFalse();
  }

  // --- multipart/related ---

  private HttpResponse<byte[]> related(String rawPath, String accept) {
    return server.sendBytes(server.request(rawPath).header("Accept", accept).GET().build());
  }

  @Test
  void multipartRelated_get_golden() throws Exception {
    String rev1 = Json.parse(server.json("PUT", "/db/secret", "{}").body()).get("rev").asText();
    HttpResponse<String> put = server.send(server.request("/db/secret/recipe.txt?rev=" + rev1)
        .header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.ofString(RECIPE)).build());
    String rev2 = Json.parse(put.body()).get("rev").asText();
    String digest = "md5-" + Base64.getEncoder().encodeToString(
        MessageDigest.getInstance("MD5").digest(RECIPE.getBytes(StandardCharsets.UTF_8)));

    HttpResponse<byte[]> res = related("/db/secret?attachments=true", "multipart/related");
    assertThat(res.statusCode()).isEqualTo(200);
    String type = res.headers().firstValue("Content-Type").orElseThrow();
    assertThat(type).matches("multipart/related; boundary=\"[0-9a-f]{32}\"");
    String boundary = Multipart.parameter(type, "boundary").orElseThrow();
    assertThat(res.headers().firstValue("ETag")).hasValue("\"" + rev2 + "\"");
    assertThat(res.headers().firstValueAsLong("Content-Length")).hasValue(res.body().length);

    String golden;
    try (InputStream in = DocumentFormatsTest.class.getResourceAsStream("/golden/multipart-related-get.txt")) {
      golden = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    String expected = golden.replace("{boundary}", boundary).replace("{rev}", rev2).replace("{digest}", digest)
        .replace("\n", "\r\n");
    assertThat(new String(res.body(), StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  @Test
  void multipartRelated_get_encodedAttachmentsFollowInTheirStoredEncoding() throws Exception {
    putDocWithGzipAttachment();
    HttpResponse<byte[]> res = related("/db/z?attachments=true&revs=true", "multipart/related, application/json");
    String type = res.headers().firstValue("Content-Type").orElseThrow();
    assertThat(type).startsWith("multipart/related;");
    List<Multipart.Part> parts = Multipart.parse(res.body(), Multipart.parameter(type, "boundary").orElseThrow());
    assertThat(parts).hasSize(3);
    JsonNode doc = Json.parse(new String(parts.get(0).body(), StandardCharsets.UTF_8));
    assertThat(parts.get(0).header("content-type")).hasValue("application/json");
    assertThat(doc.get("k").asText()).isEqualTo("v");
    assertThat(doc.get("_revisions").get("start").asInt()).isEqualTo(1);
    JsonNode zipped = doc.get("_attachments").get("zipped.txt");
    assertThat(zipped.get("follows").asBoolean()).isTrue();
    assertThat(zipped.has("data")).isFalse();
    assertThat(zipped.get("encoding").asText()).isEqualTo("gzip");
    assertThat(zipped.get("encoded_length").asInt()).isEqualTo(encoded.length);
    assertThat(zipped.get("length").asInt()).isEqualTo(CONTENT.length);

    // Parts come in _attachments order and name their attachment.
    List<String> names = List.of(parts.get(1).filename().orElseThrow(), parts.get(2).filename().orElseThrow());
    assertThat(names).containsExactlyElementsOf(iterable(doc.get("_attachments").fieldNames()));
    Multipart.Part zippedPart = parts.get(names.indexOf("zipped.txt") + 1);
    assertThat(zippedPart.header("content-encoding")).hasValue("gzip");
    assertThat(zippedPart.header("content-length")).hasValue(Integer.toString(encoded.length));
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(zippedPart.body()))) {
      assertThat(in.readAllBytes()).isEqualTo(CONTENT);
    }
    Multipart.Part plainPart = parts.get(names.indexOf("plain.txt") + 1);
    assertThat(plainPart.header("content-encoding")).isEmpty();
    assertThat(new String(plainPart.body(), StandardCharsets.UTF_8)).isEqualTo("plain");
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void multipartRelated_attsSince_onlyNewerAttachmentsFollow() throws Exception {
    String rev1 = Json.parse(server.json("PUT", "/db/d", "{}").body()).get("rev").asText();
    String rev2 = Json.parse(server.send(server.request("/db/d/old.txt?rev=" + rev1).header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.ofString("old")).build()).body()).get("rev").asText();
    server.send(server.request("/db/d/new.txt?rev=" + rev2).header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.ofString("new")).build());
    HttpResponse<byte[]> res = related("/db/d?atts_since=%5B%22" + rev2 + "%22%5D", "multipart/related");
    String type = res.headers().firstValue("Content-Type").orElseThrow();
    List<Multipart.Part> parts = Multipart.parse(res.body(), Multipart.parameter(type, "boundary").orElseThrow());
    assertThat(parts).hasSize(2);
    JsonNode atts = Json.parse(new String(parts.get(0).body(), StandardCharsets.UTF_8)).get("_attachments");
    assertThat(atts.get("old.txt").get("stub").asBoolean()).isTrue();
    assertThat(atts.get("new.txt").get("follows").asBoolean()).isTrue();
    assertThat(parts.get(1).filename()).hasValue("new.txt");
  }

  @Test
  void multipartRelated_withoutAttachmentData_isPlainJson() {
    server.json("PUT", "/db/bare", "{\"a\":1}");
    HttpResponse<byte[]> res = related("/db/bare?attachments=true", "multipart/related");
    assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(Json.parse(new String(res.body(), StandardCharsets.UTF_8)).get("a").asInt()).isEqualTo(1);
  }

  @Test
  void multipartRelated_onlyWithAttachmentsAndAnExactAcceptToken() throws Exception {
    putDocWithGzipAttachment();
    // Without attachments=true (or atts_since) the answer is JSON, as in CouchDB.
    assertThat(related("/db/z", "multipart/related").headers().firstValue("Content-Type"))
        .hasValue("application/json");
    // CouchDB splits Accept on commas and spaces and looks for the exact token.
    assertThat(related("/db/z?attachments=true", "multipart/related;q=0.9").headers().firstValue("Content-Type"))
        .hasValue("application/json");
    assertThat(related("/db/z?attachments=true", "application/json").headers().firstValue("Content-Type"))
        .hasValue("application/json");
  }
}
