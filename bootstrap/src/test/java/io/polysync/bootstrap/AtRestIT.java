package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest, proved on every backend from below: known markers go in through both
 * protocols (document bodies, attachment bytes, checkpoints and other local documents, security
 * objects, user accounts, Kinto buckets, collections, groups, records and their permissions), then
 * every byte the database holds is read without Polysync ({@link RawStore}). With encryption on
 * none of the markers may be there; with it off every one must be, so the search itself is shown
 * to find what it looks for.
 *
 * <p>Marker values are random per run. Ids, database names, user names and metadata keys stay in
 * clear by design (docs/security.md), so no marker is put in one.
 */
final class AtRestIT {
  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.SEVERE);
  }

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final String boss = basic("boss", "boss-secret");

  static Stream<Arguments> backends() {
    List<Arguments> out = new ArrayList<>();
    for (String backend : RawStore.all()) {
      out.add(Arguments.of(backend, true));
      out.add(Arguments.of(backend, false));
    }
    return out.stream();
  }

  private String marker(String what) {
    return "MARKER" + run + what;
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> send(Server server, String method, String path, String auth, String contentType,
      byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> sendJson(Server server, String method, String path, String auth, String body)
      throws Exception {
    HttpResponse<String> res = send(server, method, path, auth, "application/json",
        body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    assertThat(res.statusCode()).as(method + " " + path + ": " + res.body()).isBetween(200, 299);
    return res;
  }

  /** What goes in, by what it is: the marker and the request that stores it. */
  private Map<String, String> writeEverything(Server server) throws Exception {
    Map<String, String> markers = new LinkedHashMap<>();
    // CouchDB: a database, documents (interactive and replicated), an attachment, a checkpoint,
    // a security object, a user.
    sendJson(server, "PUT", "/notes", boss, null);
    markers.put("couch document body", marker("CouchBody"));
    String rev = json.readTree(sendJson(server, "PUT", "/notes/doc1", boss,
        "{\"text\":\"" + marker("CouchBody") + "\",\"nested\":{\"deep\":[\"" + marker("CouchBody") + "\"]}}")
        .body()).get("rev").asText();
    markers.put("couch replicated body", marker("CouchReplicated"));
    sendJson(server, "POST", "/notes/_bulk_docs", boss, "{\"new_edits\":false,\"docs\":[{\"_id\":\"doc2\","
        + "\"_rev\":\"2-bbbb\",\"_revisions\":{\"start\":2,\"ids\":[\"bbbb\",\"aaaa\"]},\"v\":\""
        + marker("CouchReplicated") + "\"}]}");
    markers.put("couch attachment bytes", marker("CouchAttachment"));
    HttpResponse<String> att = send(server, "PUT", "/notes/doc1/file.bin?rev=" + rev, boss,
        "application/octet-stream", ("binary " + marker("CouchAttachment") + " content").getBytes(StandardCharsets.UTF_8));
    assertThat(att.statusCode()).as(att.body()).isEqualTo(201);
    markers.put("couch inline attachment", marker("CouchInline"));
    sendJson(server, "PUT", "/notes/doc3", boss, "{\"_attachments\":{\"a.txt\":{\"content_type\":\"text/plain\","
        + "\"data\":\"" + Base64.getEncoder().encodeToString(("inline " + marker("CouchInline"))
            .getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    markers.put("couch checkpoint", marker("CouchCheckpoint"));
    sendJson(server, "PUT", "/notes/_local/checkpoint-1", boss, "{\"session_id\":\"" + marker("CouchCheckpoint")
        + "\",\"history\":[{\"last_seq\":3,\"session_id\":\"" + marker("CouchCheckpoint") + "\"}]}");
    markers.put("couch security object", marker("CouchSecurity"));
    sendJson(server, "PUT", "/notes/_security", boss, "{\"admins\":{\"roles\":[\"" + marker("CouchSecurity")
        + "\"]},\"members\":{\"roles\":[\"" + marker("CouchSecurity") + "\"]}}");
    markers.put("couch user roles", marker("CouchUserRole"));
    sendJson(server, "PUT", "/_users/org.couchdb.user:alice", boss, "{\"name\":\"alice\",\"password\":\""
        + marker("CouchPassword") + "\",\"roles\":[\"" + marker("CouchUserRole") + "\"],\"type\":\"user\"}");

    // Kinto: a bucket, a collection, a group, a record with permissions, an account.
    markers.put("kinto bucket", marker("KintoBucket"));
    sendJson(server, "PUT", "/v1/buckets/blog", boss, "{\"data\":{\"title\":\"" + marker("KintoBucket") + "\"}}");
    markers.put("kinto collection", marker("KintoCollection"));
    sendJson(server, "PUT", "/v1/buckets/blog/collections/posts", boss,
        "{\"data\":{\"title\":\"" + marker("KintoCollection") + "\"}}");
    markers.put("kinto group members", marker("KintoMember"));
    sendJson(server, "PUT", "/v1/buckets/blog/groups/editors", boss,
        "{\"data\":{\"members\":[\"account:" + marker("KintoMember") + "\"]}}");
    markers.put("kinto record", marker("KintoRecord"));
    markers.put("kinto record permissions", marker("KintoPrincipal"));
    sendJson(server, "PUT", "/v1/buckets/blog/collections/posts/records/post-1", boss,
        "{\"data\":{\"body\":\"" + marker("KintoRecord") + "\"},\"permissions\":{\"read\":[\"account:"
            + marker("KintoPrincipal") + "\"]}}");
    // An account is a user record: its password hash is what the search below looks for.
    sendJson(server, "PUT", "/v1/accounts/bob", null, "{\"data\":{\"password\":\"" + marker("KintoPassword") + "\"}}");

    // Read back through both protocols, so that the search below looks for data that is there.
    assertThat(sendJson(server, "GET", "/notes/doc1", boss, null).body()).contains(marker("CouchBody"));
    assertThat(sendJson(server, "GET", "/notes/doc1/file.bin", boss, null).body()).contains(marker("CouchAttachment"));
    assertThat(sendJson(server, "GET", "/notes/_local/checkpoint-1", boss, null).body())
        .contains(marker("CouchCheckpoint"));
    assertThat(sendJson(server, "GET", "/v1/buckets/blog/collections/posts/records/post-1", boss, null).body())
        .contains(marker("KintoRecord"));
    return markers;
  }

  @ParameterizedTest(name = "{0}, encryption {1}")
  @MethodSource("backends")
  void markersWrittenThroughBothProtocols_areNowhereInTheRawDatabase_unlessEncryptionIsOff(
      String backend, boolean encryption) throws Exception {
    try (RawStore raw = RawStore.create(backend, dir)) {
      ServeOptions options = new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:boss-secret"),
          Optional.of(raw.storageUri()), Map.of())
          .withKeys(new KeyOptions(encryption, "file", Optional.of(dir.resolve("keys/polysync.key"))));
      Map<String, String> markers;
      String running;
      try (Server server = Server.start(options, System.out)) {
        markers = writeEverything(server);
        running = raw.dumpWhileRunning();
      }
      String stored = running + raw.dumpAfterStop();
      assertThat(stored.length()).as("bytes read from " + raw.name()).isGreaterThan(1000);

      List<String> found = new ArrayList<>();
      markers.forEach((what, marker) -> {
        if (stored.contains(marker)) {
          found.add(what);
        }
      });
      // A stored PBKDF2 hash starts with its scheme: in clear it would be there to crack offline.
      boolean hashes = stored.contains("pbkdf2-sha256$");
      // Passwords themselves are only ever hashed.
      assertThat(stored).doesNotContain(marker("CouchPassword")).doesNotContain(marker("KintoPassword"));
      if (encryption) {
        assertThat(found).as("markers in clear in " + raw.name()).isEmpty();
        assertThat(hashes).as("password hashes in clear in " + raw.name()).isFalse();
        assertThat(stored).doesNotContain(Base64.getEncoder().encodeToString(("inline " + marker("CouchInline"))
            .getBytes(StandardCharsets.UTF_8)).replace("=", ""));
      } else {
        assertThat(found).as("markers found in " + raw.name() + " with encryption off")
            .containsExactlyInAnyOrderElementsOf(markers.keySet());
        assertThat(hashes).isTrue();
      }
    }
  }
}
