package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An owned database over HTTP: two members and a database admin, each seeing through every read
 * endpoint only what it may read, and refused writes to documents it does not own.
 */
final class OwnedDocumentsTest {
  static final String ALICE = TestServer.basic("alice", "pw-alice");
  static final String BOB = TestServer.basic("bob", "pw-bob");
  static final String BOSS = TestServer.basic("boss", "pw-boss");

  TestServer server;
  String aliceRev;
  String bobRev;

  @BeforeEach
  void start(@TempDir Path dir) {
    server = new TestServer(dir);
    for (String name : List.of("alice", "bob", "boss")) {
      server.engine.users().create(name, "pw-" + name, List.of());
    }
    assertThat(server.json("PUT", "/shared", "").statusCode()).isEqualTo(201);
    assertThat(server.json("PUT", "/shared/_security", "{\"admins\":{\"names\":[\"boss\"]},"
        + "\"members\":{\"names\":[\"alice\",\"bob\"]},\"polysync\":{\"owned\":true}}").statusCode()).isEqualTo(200);
    aliceRev = rev(ok(201, server.as(ALICE, "PUT", "/shared/a1", "{\"who\":\"alice\"}")));
    bobRev = rev(ok(201, server.as(BOB, "PUT", "/shared/b1", "{\"who\":\"bob\"}")));
    ok(201, server.as(BOSS, "PUT", "/shared/x1", "{\"who\":\"boss\"}"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static JsonNode ok(int status, HttpResponse<String> res) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return Json.parse(res.body());
  }

  private static String rev(JsonNode body) {
    return body.get("rev").asText();
  }

  private static List<String> ids(JsonNode rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.get("id").asText()));
    return out;
  }

  private List<String> changes(String who, String query) {
    return ids(ok(200, server.as(who, "GET", "/shared/_changes" + query, null)).get("results"));
  }

  @Test
  void security_keepsThePolysyncMember() {
    JsonNode security = ok(200, server.as(BOSS, "GET", "/shared/_security", null));
    assertThat(security.at("/polysync/owned").asBoolean()).isTrue();
  }

  @Test
  void changes_eachUserSeesOnlyItsOwn_adminSeesAll() {
    assertThat(changes(ALICE, "")).containsExactly("a1");
    assertThat(changes(BOB, "?include_docs=true")).containsExactly("b1");
    assertThat(changes(BOSS, "")).containsExactly("a1", "b1", "x1");
    assertThat(changes(TestServer.basic(), "")).containsExactly("a1", "b1", "x1");
  }

  @Test
  void changes_everyFeedMode_staysWithinTheUsersIndex() {
    JsonNode first = ok(200, server.as(ALICE, "GET", "/shared/_changes", null));
    long last = first.get("last_seq").asLong();
    ok(201, server.as(BOB, "PUT", "/shared/b2", "{}"));
    ok(201, server.as(ALICE, "PUT", "/shared/a2", "{}"));
    JsonNode longpoll = ok(200, server.as(ALICE, "GET", "/shared/_changes?feed=longpoll&since=" + last, null));
    assertThat(ids(longpoll.get("results"))).containsExactly("a2");
    assertThat(longpoll.get("last_seq").asLong()).isEqualTo(2);
    HttpResponse<String> continuous = server.as(ALICE, "GET", "/shared/_changes?feed=continuous&timeout=100", null);
    assertThat(continuous.statusCode()).isEqualTo(200);
    List<String> lines = continuous.body().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).hasSize(3);
    assertThat(Json.parse(lines.get(0)).get("id").asText()).isEqualTo("a1");
    assertThat(Json.parse(lines.get(1)).get("id").asText()).isEqualTo("a2");
    assertThat(Json.parse(lines.get(2)).get("last_seq").asLong()).isEqualTo(2);
    HttpResponse<String> events = server.as(ALICE, "GET", "/shared/_changes?feed=eventsource&timeout=100", null);
    assertThat(events.body()).contains("\"id\":\"a1\"", "\"id\":\"a2\"")
        .doesNotContain("\"id\":\"b1\"", "\"id\":\"b2\"", "\"id\":\"x1\"");
    JsonNode info = ok(200, server.as(ALICE, "GET", "/shared", null));
    assertThat(info.get("doc_count").asLong()).isEqualTo(2);
    assertThat(info.get("update_seq").asLong()).isEqualTo(2);
  }

  @Test
  void allDocs_eachUserSeesOnlyItsOwn() {
    JsonNode alice = ok(200, server.as(ALICE, "GET", "/shared/_all_docs", null));
    assertThat(ids(alice.get("rows"))).containsExactly("a1");
    assertThat(alice.get("total_rows").asLong()).isEqualTo(1);
    JsonNode keys = ok(200, server.as(ALICE, "POST", "/shared/_all_docs", "{\"keys\":[\"a1\",\"b1\"]}"));
    assertThat(keys.at("/rows/1/error").asText()).isEqualTo("not_found");
    assertThat(ids(ok(200, server.as(BOSS, "GET", "/shared/_all_docs", null)).get("rows")))
        .containsExactly("a1", "b1", "x1");
  }

  @Test
  void get_othersDocument_answersExactlyAsAMissingOne() {
    HttpResponse<String> other = server.as(ALICE, "GET", "/shared/b1", null);
    HttpResponse<String> missing = server.as(ALICE, "GET", "/shared/nothing-here", null);
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(other.body()).isEqualTo(missing.body());
    assertThat(server.as(ALICE, "GET", "/shared/b1?rev=" + bobRev, null).body()).isEqualTo(missing.body());
    assertThat(server.as(ALICE, "GET", "/shared/b1?open_revs=all", null).statusCode()).isEqualTo(404);
    assertThat(ok(200, server.as(BOB, "GET", "/shared/b1", null)).get("who").asText()).isEqualTo("bob");
  }

  @Test
  void bulkGetAndRevsDiff_othersDocument_lookAbsent() {
    JsonNode got = ok(200, server.as(ALICE, "POST", "/shared/_bulk_get",
        "{\"docs\":[{\"id\":\"b1\",\"rev\":\"" + bobRev + "\"},{\"id\":\"a1\"}]}"));
    assertThat(got.at("/results/0/docs/0/error/error").asText()).isEqualTo("not_found");
    assertThat(got.toString()).doesNotContain("\"who\":\"bob\"");
    assertThat(got.at("/results/1/docs/0/ok/who").asText()).isEqualTo("alice");
    JsonNode diff = ok(200, server.as(ALICE, "POST", "/shared/_revs_diff",
        "{\"b1\":[\"" + bobRev + "\"],\"a1\":[\"" + aliceRev + "\"]}"));
    assertThat(diff.at("/b1/missing/0").asText()).isEqualTo(bobRev);
    assertThat(diff.has("a1")).isFalse();
  }

  @Test
  void writes_toOthersDocuments_areRefused() {
    HttpResponse<String> put = server.as(ALICE, "PUT", "/shared/b1", "{\"_rev\":\"" + bobRev + "\",\"who\":\"eve\"}");
    assertThat(put.statusCode()).isEqualTo(403);
    assertThat(Json.parse(put.body()).get("error").asText()).isEqualTo("forbidden");
    assertThat(server.as(ALICE, "DELETE", "/shared/b1?rev=" + bobRev, null).statusCode()).isEqualTo(403);
    JsonNode bulk = ok(201, server.as(ALICE, "POST", "/shared/_bulk_docs",
        "{\"docs\":[{\"_id\":\"b1\",\"_rev\":\"" + bobRev + "\"},{\"_id\":\"a9\"}]}"));
    assertThat(bulk.at("/0/error").asText()).isEqualTo("forbidden");
    assertThat(bulk.at("/1/ok").asBoolean()).isTrue();
    JsonNode replicated = ok(201, server.as(ALICE, "POST", "/shared/_bulk_docs",
        "{\"new_edits\":false,\"docs\":[{\"_id\":\"b1\",\"_rev\":\"2-ff\",\"_revisions\":{\"start\":2,"
            + "\"ids\":[\"ff\",\"" + bobRev.substring(2) + "\"]}}]}"));
    assertThat(replicated.at("/0/error").asText()).isEqualTo("forbidden");
    assertThat(ok(200, server.as(BOB, "GET", "/shared/b1", null)).get("_rev").asText()).isEqualTo(bobRev);
    // An admin may write any document.
    ok(201, server.as(BOSS, "PUT", "/shared/b1", "{\"_rev\":\"" + bobRev + "\",\"who\":\"fixed\"}"));
  }

  @Test
  void readers_shareThenUnshare_sendsARemoval() {
    String shared = rev(ok(201, server.as(ALICE, "PUT", "/shared/a1",
        "{\"_rev\":\"" + aliceRev + "\",\"who\":\"alice\",\"readers\":[\"bob\"]}")));
    JsonNode bobFeed = ok(200, server.as(BOB, "GET", "/shared/_changes", null));
    assertThat(ids(bobFeed.get("results"))).containsExactly("b1", "a1");
    assertThat(ok(200, server.as(BOB, "GET", "/shared/a1", null)).get("who").asText()).isEqualTo("alice");
    assertThat(server.as(BOB, "PUT", "/shared/a1", "{\"_rev\":\"" + shared + "\"}").statusCode()).isEqualTo(403);

    String unshared = rev(ok(201, server.as(ALICE, "PUT", "/shared/a1",
        "{\"_rev\":\"" + shared + "\",\"who\":\"alice\",\"readers\":[]}")));
    JsonNode removal = ok(200, server.as(BOB, "GET",
        "/shared/_changes?since=" + bobFeed.get("last_seq").asText(), null));
    assertThat(removal.get("results")).hasSize(1);
    JsonNode row = removal.at("/results/0");
    assertThat(row.get("id").asText()).isEqualTo("a1");
    assertThat(row.get("deleted").asBoolean()).isTrue();
    String removalRev = row.at("/changes/0/rev").asText();
    assertThat(removalRev).startsWith("4-");
    JsonNode tomb = ok(200, server.as(BOB, "POST", "/shared/_bulk_get?revs=true",
        "{\"docs\":[{\"id\":\"a1\",\"rev\":\"" + removalRev + "\"}]}")).at("/results/0/docs/0/ok");
    assertThat(tomb.get("_deleted").asBoolean()).isTrue();
    assertThat(tomb.has("who")).isFalse();
    assertThat(tomb.at("/_revisions/ids/1").asText()).isEqualTo(unshared.substring(2));
    assertThat(server.as(BOB, "GET", "/shared/a1", null).statusCode()).isEqualTo(404);
    assertThat(ids(ok(200, server.as(BOB, "GET", "/shared/_all_docs", null)).get("rows"))).containsExactly("b1");
  }
}
