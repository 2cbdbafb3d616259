package io.polysync.protocol.kinto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.Database;
import io.polysync.engine.Document;
import io.polysync.engine.ReadOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class KintoApiTest {
  @TempDir
  Path dir;
  TestServer server;
  String alice;
  String bob;

  @BeforeEach
  void start() {
    server = new TestServer(dir);
    assertThat(server.call(null, "PUT", "/v1/accounts/alice", "{\"data\":{\"password\":\"pa\"}}").status()).isEqualTo(201);
    assertThat(server.call(null, "PUT", "/v1/accounts/bob", "{\"data\":{\"password\":\"pb\"}}").status()).isEqualTo(201);
    alice = TestServer.basic("alice", "pa");
    bob = TestServer.basic("bob", "pb");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private TestServer.Answer put(String auth, String path, String body, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = "application/json";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return server.call(auth, "PUT", path, body, all);
  }

  private static List<String> ids(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.path("data").forEach(r -> out.add(r.path("id").asText()));
    return out;
  }

  @Test
  void root_authenticated_publishesBatchLimitAndUser() {
    var anon = server.call(null, "GET", "/v1/", null);
    assertThat(anon.status()).isEqualTo(200);
    assertThat(anon.json().path("settings").path("batch_max_requests").asInt()).isEqualTo(25);
    assertThat(anon.json().has("user")).isFalse();
    var root = server.call(alice, "GET", "/v1/", null);
    assertThat(root.json().path("user").path("id").asText()).isEqualTo("account:alice");
    assertThat(root.json().path("user").path("bucket").asText()).matches("[0-9a-f-]{36}");
    assertThat(root.json().path("capabilities").has("schema")).isTrue();
    assertThat(server.call(null, "GET", "/v1", null).status()).isEqualTo(307);
    var slash = server.call(alice, "GET", "/v1/buckets/default/", null);
    assertThat(slash.status()).isEqualTo(307);
    assertThat(slash.header("Location")).isEqualTo("/v1/buckets/default");
  }

  @Test
  void accounts_wrongPassword_401AndOwnerControlsAccount() {
    var wrong = server.call(TestServer.basic("alice", "nope"), "GET", "/v1/", null);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().path("errno").asInt()).isEqualTo(105);
    assertThat(server.call(bob, "GET", "/v1/accounts/alice", null).status()).isEqualTo(403);
    assertThat(server.call(null, "GET", "/v1/accounts/alice", null).status()).isEqualTo(401);
    assertThat(put(alice, "/v1/accounts/alice", "{\"data\":{\"password\":\"new\"}}").status()).isEqualTo(200);
    assertThat(server.call(TestServer.basic("alice", "new"), "GET", "/v1/accounts/alice", null).status()).isEqualTo(200);
    assertThat(server.call(TestServer.basic("alice", "new"), "DELETE", "/v1/accounts/alice", null).status()).isEqualTo(200);
    assertThat(server.call(TestServer.basic("alice", "new"), "GET", "/v1/", null).status()).isEqualTo(401);
    assertThat(put(null, "/v1/accounts/bad%20id", "{\"data\":{\"password\":\"x\"}}").status()).isEqualTo(400);
  }

  @Test
  void records_conditionalWrites_412WithExistingAnd304() {
    String r = "/v1/buckets/default/collections/tasks/records/r1";
    var created = put(alice, r, "{\"data\":{\"title\":\"one\"}}", "If-None-Match", "*");
    assertThat(created.status()).isEqualTo(201);
    long ts = created.json().path("data").path("last_modified").asLong();
    assertThat(created.header("ETag")).isEqualTo("\"" + ts + "\"");
    var again = put(alice, r, "{\"data\":{\"title\":\"two\"}}", "If-None-Match", "*");
    assertThat(again.status()).isEqualTo(412);
    assertThat(again.json().path("errno").asInt()).isEqualTo(114);
    assertThat(again.json().path("details").path("existing").path("title").asText()).isEqualTo("one");
    var stale = put(alice, r, "{\"data\":{\"title\":\"two\"}}", "If-Match", "\"" + (ts - 1) + "\"");
    assertThat(stale.status()).isEqualTo(412);
    var updated = put(alice, r, "{\"data\":{\"title\":\"two\",\"last_modified\":" + ts + "}}", "If-Match", "\"" + ts + "\"");
    assertThat(updated.status()).isEqualTo(200);
    long ts2 = updated.json().path("data").path("last_modified").asLong();
    assertThat(ts2).isGreaterThan(ts);
    assertThat(server.call(alice, "GET", r, null, "If-None-Match", "\"" + ts2 + "\"").status()).isEqualTo(304);
    var deleted = server.call(alice, "DELETE", r, null, "If-Match", "\"" + ts2 + "\"");
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.json().path("data").path("deleted").asBoolean()).isTrue();
    var gone = put(alice, r, "{\"data\":{}}", "If-Match", "\"" + ts2 + "\"");
    assertThat(gone.status()).isEqualTo(412);
    assertThat(gone.json().has("details")).isFalse();
    assertThat(server.call(alice, "DELETE", r, null).status()).isEqualTo(404);
    assertThat(put(alice, r, "{\"data\":{\"title\":\"back\"}}", "If-None-Match", "*").status()).isEqualTo(201);
  }

  @Test
  void list_sinceFiltersSortAndPages() {
    String base = "/v1/buckets/default/collections/items/records";
    long first = 0;
    for (int i = 0; i < 7; i++) {
      var res = put(alice, base + "/i" + i, "{\"data\":{\"n\":" + i + ",\"tag\":\"t" + (i % 2) + "\",\"tags\":[\"x" + i + "\"]}}");
      if (i == 0) {
        first = res.json().path("data").path("last_modified").asLong();
      }
    }
    server.call(alice, "DELETE", base + "/i3", null);
    var all = server.call(alice, "GET", base, null);
    assertThat(ids(all.json())).containsExactly("i6", "i5", "i4", "i2", "i1", "i0");
    var since = server.call(alice, "GET", base + "?_since=" + first, null);
    assertThat(ids(since.json())).containsExactly("i3", "i6", "i5", "i4", "i2", "i1");
    assertThat(since.json().path("data").get(0).path("deleted").asBoolean()).isTrue();
    assertThat(since.header("ETag")).isEqualTo(all.header("ETag"));
    assertThat(ids(server.call(alice, "GET", base + "?min_n=4&_sort=n", null).json())).containsExactly("i4", "i5", "i6");
    assertThat(ids(server.call(alice, "GET", base + "?in_id=i1,i2&_sort=id", null).json())).containsExactly("i1", "i2");
    assertThat(ids(server.call(alice, "GET", base + "?exclude_id=i1,i2&tag=t0&_sort=-n", null).json()))
        .containsExactly("i6", "i4", "i0");
    assertThat(ids(server.call(alice, "GET", base + "?contains_tags=%5B%22x5%22%5D", null).json())).containsExactly("i5");
    assertThat(ids(server.call(alice, "GET", base + "?like_tag=*1", null).json())).containsExactly("i5", "i1");
    var fields = server.call(alice, "GET", base + "?_fields=n&id=i2", null);
    assertThat(fields.json().path("data").get(0).has("tag")).isFalse();
    assertThat(fields.json().path("data").get(0).path("n").asInt()).isEqualTo(2);
    var head = server.call(alice, "HEAD", base, null);
    assertThat(head.header("Total-Objects")).isEqualTo("6");
    // Pages of two, following Next-Page verbatim.
    List<String> seen = new ArrayList<>();
    String next = base + "?_limit=2&_sort=n";
    int pages = 0;
    while (next != null) {
      var page = server.call(alice, "GET", next, null);
      assertThat(page.status()).isEqualTo(200);
      seen.addAll(ids(page.json()));
      String header = page.header("Next-Page");
      next = header == null ? null : header.substring(header.indexOf("/v1/"));
      assertThat(header == null || header.startsWith("http://")).isTrue();
      pages++;
    }
    assertThat(seen).containsExactly("i0", "i1", "i2", "i4", "i5", "i6");
    assertThat(pages).isBetween(3, 4);
    var bad = server.call(alice, "GET", base + "?_since=abc", null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("errno").asInt()).isEqualTo(107);
    assertThat(server.call(alice, "GET", base + "?_token=bm90LWpzb24", null).status()).isEqualTo(400);
  }

  @Test
  void batch_limitsNestingAndPerRequestStatus() {
    StringBuilder many = new StringBuilder("{\"requests\":[");
    for (int i = 0; i < 26; i++) {
      many.append(i == 0 ? "" : ",").append("{\"path\":\"/\"}");
    }
    many.append("]}");
    var tooMany = server.call(alice, "POST", "/v1/batch", many.toString());
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.json().path("errno").asInt()).isEqualTo(107);
    var nested = server.call(alice, "POST", "/v1/batch", "{\"requests\":[{\"method\":\"POST\",\"path\":\"/batch\"}]}");
    assertThat(nested.status()).isEqualTo(400);
    var bad = server.call(alice, "POST", "/v1/batch", "{\"requests\":[], \"extra\":1}");
    assertThat(bad.status()).isEqualTo(400);
    var ok = server.call(alice, "POST", "/v1/batch", """
        {"defaults":{"method":"PUT","headers":{"If-None-Match":"*"}},"requests":[
          {"path":"/buckets/default/collections/b/records/a","body":{"data":{"v":1}}},
          {"path":"/buckets/default/collections/b/records/b","body":{"data":{"v":2}}},
          {"path":"/buckets/default/collections/b/records/a","body":{"data":{"v":3}}},
          {"method":"GET","path":"/v1/buckets/default/collections/b/records"}]}""");
    assertThat(ok.status()).isEqualTo(200);
    JsonNode responses = ok.json().path("responses");
    assertThat(responses.get(0).path("status").asInt()).isEqualTo(201);
    assertThat(responses.get(1).path("status").asInt()).isEqualTo(201);
    assertThat(responses.get(2).path("status").asInt()).isEqualTo(412);
    assertThat(responses.get(2).path("path").asText()).isEqualTo("/v1/buckets/default/collections/b/records/a");
    assertThat(ids(responses.get(3).path("body"))).containsExactly("b", "a");
  }

  @Test
  void patch_threeFlavours() {
    String r = "/v1/buckets/default/collections/p/records/x";
    put(alice, r, "{\"data\":{\"a\":1,\"o\":{\"k\":1,\"l\":2}}}");
    var merge = server.call(alice, "PATCH", r, "{\"data\":{\"b\":2,\"o\":{\"k\":9}}}", "Content-Type", "application/json");
    assertThat(merge.json().path("data").path("o").toString()).isEqualTo("{\"k\":9}");
    var mp = server.call(alice, "PATCH", r, "{\"data\":{\"a\":null,\"o\":{\"m\":3}}}",
        "Content-Type", "application/merge-patch+json");
    assertThat(mp.json().path("data").has("a")).isFalse();
    assertThat(mp.json().path("data").path("o").toString()).isEqualTo("{\"k\":9,\"m\":3}");
    var jp = server.call(alice, "PATCH", r, "[{\"op\":\"add\",\"path\":\"/data/c\",\"value\":[1]},"
        + "{\"op\":\"add\",\"path\":\"/permissions/read/account:bob\",\"value\":true}]",
        "Content-Type", "application/json-patch+json");
    assertThat(jp.status()).isEqualTo(200);
    assertThat(jp.json().path("data").path("c").get(0).asInt()).isEqualTo(1);
    assertThat(jp.json().path("permissions").path("read").get(0).asText()).isEqualTo("account:bob");
    var broken = server.call(alice, "PATCH", r, "[{\"op\":\"remove\",\"path\":\"/data/nope\"}]",
        "Content-Type", "application/json-patch+json");
    assertThat(broken.status()).isEqualTo(400);
    assertThat(server.call(alice, "PATCH", "/v1/buckets/default/collections/p/records/missing", "{\"data\":{}}",
        "Content-Type", "application/json").status()).isEqualTo(404);
  }

  @Test
  void permissions_sharedCollection_eachUserSeesOwnAndGrantedRecords() {
    assertThat(put(alice, "/v1/buckets/shared", "{}").status()).isEqualTo(403);
    assertThat(put(TestServer.admin(), "/v1/buckets/shared", "{}").status()).isEqualTo(201);
    assertThat(put(TestServer.admin(), "/v1/buckets/shared/collections/notes",
        "{\"permissions\":{\"record:create\":[\"system.Authenticated\"]}}").status()).isEqualTo(201);
    String records = "/v1/buckets/shared/collections/notes/records";
    // Beyond Kinto: record creators may GET the collection, so Kinto.js sync() can start.
    assertThat(server.call(alice, "GET", "/v1/buckets/shared/collections/notes", null).status()).isEqualTo(200);
    assertThat(put(alice, records + "/a1", "{\"data\":{\"t\":\"alice\"}}").status()).isEqualTo(201);
    var bobWrite = put(bob, records + "/b1", "{\"data\":{\"t\":\"bob\"}}");
    assertThat(bobWrite.status()).isEqualTo(201);
    assertThat(bobWrite.json().path("permissions").path("write").get(0).asText()).isEqualTo("account:bob");
    assertThat(ids(server.call(alice, "GET", records, null).json())).containsExactly("a1");
    var bobList = server.call(bob, "GET", records, null);
    assertThat(ids(bobList.json())).containsExactly("b1");
    long bobEtag = KintoApi.parseEtag(bobList.header("ETag"));
    assertThat(server.call(bob, "GET", records + "/a1", null).status()).isEqualTo(403);
    assertThat(put(bob, records + "/a1", "{\"data\":{\"t\":\"mine\"}}").status()).isEqualTo(403);
    assertThat(server.call(bob, "DELETE", records + "/a1", null).status()).isEqualTo(403);
    assertThat(server.call(null, "GET", records, null).status()).isEqualTo(401);
    // Alice writes again: bob's view, and its ETag, do not move.
    put(alice, records + "/a2", "{\"data\":{\"t\":\"alice 2\"}}");
    var bobAgain = server.call(bob, "GET", records + "?_since=" + bobEtag, null);
    assertThat(ids(bobAgain.json())).isEmpty();
    assertThat(KintoApi.parseEtag(bobAgain.header("ETag"))).isEqualTo(bobEtag);
    // Alice shares a1 with bob; bob's next pull brings it; then her delete reaches him.
    var share = server.call(alice, "PATCH", records + "/a1", "{\"permissions\":{\"read\":[\"account:bob\"]}}",
        "Content-Type", "application/json");
    assertThat(share.status()).isEqualTo(200);
    var pulled = server.call(bob, "GET", records + "?_since=" + bobEtag, null);
    assertThat(ids(pulled.json())).containsExactly("a1");
    long etag2 = KintoApi.parseEtag(pulled.header("ETag"));
    assertThat(server.call(bob, "GET", records + "/a1", null).status()).isEqualTo(200);
    assertThat(server.call(alice, "DELETE", records + "/a1", null).status()).isEqualTo(200);
    var tomb = server.call(bob, "GET", records + "?_since=" + etag2, null);
    assertThat(ids(tomb.json())).containsExactly("a1");
    assertThat(tomb.json().path("data").get(0).path("deleted").asBoolean()).isTrue();
    // The admin sees everything.
    assertThat(ids(server.call(TestServer.admin(), "GET", records + "?_sort=id", null).json()))
        .containsExactly("a2", "b1");
  }

  @Test
  void sharedRecords_revokedGroupAndRestartedIndex_listsExactlyWhatIsGranted() {
    assertThat(put(TestServer.admin(), "/v1/buckets/shared", "{}").status()).isEqualTo(201);
    assertThat(put(TestServer.admin(), "/v1/buckets/shared/collections/notes",
        "{\"permissions\":{\"record:create\":[\"system.Authenticated\"]}}").status()).isEqualTo(201);
    assertThat(put(null, "/v1/accounts/carol", "{\"data\":{\"password\":\"pc\"}}").status()).isEqualTo(201);
    String carol = TestServer.basic("carol", "pc");
    assertThat(put(TestServer.admin(), "/v1/buckets/shared/groups/team",
        "{\"data\":{\"members\":[\"account:carol\"]}}").status()).isEqualTo(201);
    String records = "/v1/buckets/shared/collections/notes/records";
    put(alice, records + "/toBob", "{\"data\":{\"n\":1},\"permissions\":{\"read\":[\"account:bob\"]}}");
    put(alice, records + "/toTeam", "{\"data\":{\"n\":2},\"permissions\":{\"write\":[\"/buckets/shared/groups/team\"]}}");
    put(alice, records + "/private", "{\"data\":{\"n\":3}}");
    assertThat(ids(server.call(bob, "GET", records + "?_sort=id", null).json())).containsExactly("toBob");
    assertThat(ids(server.call(carol, "GET", records + "?_sort=id", null).json())).containsExactly("toTeam");
    assertThat(ids(server.call(carol, "GET", records + "?n=2", null).json())).containsExactly("toTeam");
    assertThat(ids(server.call(carol, "GET", records + "?n=1", null).json())).isEmpty();
    // Revoked: bob no longer lists it, though its index entry stays; granted again: listed again.
    var revoke = server.call(alice, "PATCH", records + "/toBob", "{\"permissions\":{\"read\":[]}}",
        "Content-Type", "application/json");
    assertThat(revoke.status()).isEqualTo(200);
    assertThat(server.call(bob, "GET", records, null).status()).isEqualTo(200);
    assertThat(ids(server.call(bob, "GET", records, null).json())).isEmpty();
    assertThat(server.call(bob, "GET", records + "/toBob", null).status()).isEqualTo(403);
    server.call(alice, "PATCH", records + "/toBob", "{\"permissions\":{\"read\":[\"account:bob\"]}}",
        "Content-Type", "application/json");
    assertThat(ids(server.call(bob, "GET", records, null).json())).containsExactly("toBob");
    // Permissions stored before the index existed (or restored without it) are indexed at start.
    Database index = server.engine.systemDatabase(GrantIndex.DATABASE);
    int removed = 0;
    for (var row : index.allDocs(io.polysync.engine.AllDocsOptions.defaults()).rows()) {
      index.delete(row.id(), row.rev().orElseThrow());
      removed++;
    }
    assertThat(removed).isGreaterThanOrEqualTo(3);
    index.removeMetadata("kinto.grants_indexed_seq");
    assertThat(ids(server.call(bob, "GET", records, null).json())).isEmpty();
    server.close();
    server = new TestServer(dir);
    assertThat(ids(server.call(bob, "GET", records, null).json())).containsExactly("toBob");
    assertThat(ids(server.call(carol, "GET", records, null).json())).containsExactly("toTeam");
    // Permissions written past the front-end (an import, another process, an older version) are
    // indexed before the next lookup.
    Database acl = server.engine.systemDatabase(RecordStore.ACL_DATABASE);
    ObjectNode grant = (ObjectNode) acl.get("shared:notes:toTeam", io.polysync.engine.ReadOptions.defaults()).json()
        .deepCopy();
    ((ObjectNode) grant.get("permissions")).putArray("read").add("account:bob");
    acl.put(grant);
    assertThat(ids(server.call(bob, "GET", records + "?_sort=id", null).json())).containsExactly("toBob", "toTeam");
    // A dropped and recreated collection does not inherit the old records' grants.
    assertThat(server.call(TestServer.admin(), "DELETE", "/v1/buckets/shared/collections/notes", null).status())
        .isEqualTo(200);
    assertThat(put(TestServer.admin(), "/v1/buckets/shared/collections/notes",
        "{\"permissions\":{\"record:create\":[\"system.Authenticated\"]}}").status()).isEqualTo(201);
    put(alice, records + "/toBob", "{\"data\":{\"n\":4}}");
    assertThat(ids(server.call(bob, "GET", records, null).json())).isEmpty();
    assertThat(server.call(bob, "GET", records + "/toBob", null).status()).isEqualTo(403);
  }

  @Test
  void missingObjects_401_403_404AsKinto() {
    assertThat(server.call(alice, "GET", "/v1/buckets/nope", null).status()).isEqualTo(403);
    assertThat(server.call(null, "GET", "/v1/buckets/nope", null).status()).isEqualTo(401);
    var adminMissing = server.call(TestServer.admin(), "GET", "/v1/buckets/nope/collections/c/records", null);
    assertThat(adminMissing.status()).isEqualTo(404);
    assertThat(adminMissing.json().path("details").path("resource_name").asText()).isEqualTo("bucket");
    var record = server.call(alice, "GET", "/v1/buckets/default/collections/c/records/none", null);
    assertThat(record.status()).isEqualTo(404);
    assertThat(record.json().path("errno").asInt()).isEqualTo(110);
    assertThat(server.call(alice, "GET", "/v1/buckets/default/collections/c/records/bad%20id", null).status())
        .isEqualTo(400);
    var badJson = server.call(alice, "PUT", "/v1/buckets/default/collections/c/records/x", "{nope",
        "Content-Type", "application/json");
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.json().path("errno").asInt()).isEqualTo(106);
    assertThat(server.call(alice, "PUT", "/v1/buckets/default/collections/c/records", "{}",
        "Content-Type", "application/json").status()).isEqualTo(405);
    assertThat(server.call(alice, "GET", "/v1/nothing", null).status()).isEqualTo(404);
    var reserved = put(alice, "/v1/buckets/default/collections/c/records/x", "{\"data\":{\"_id\":1}}");
    assertThat(reserved.status()).isEqualTo(400);
  }

  @Test
  void schema_collectionSchemaValidatesRecords() {
    assertThat(put(alice, "/v1/buckets/default/collections/s", """
        {"data":{"schema":{"type":"object","properties":{"title":{"type":"string"}},"required":["title"]}}}""")
        .status()).isEqualTo(200);
    var bad = put(alice, "/v1/buckets/default/collections/s/records/r", "{\"data\":{\"title\":5}}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("errno").asInt()).isEqualTo(107);
    assertThat(bad.json().path("details").get(0).path("location").asText()).isEqualTo("body");
    var good = put(alice, "/v1/buckets/default/collections/s/records/r", "{\"data\":{\"title\":\"ok\"}}");
    assertThat(good.status()).isEqualTo(201);
    assertThat(good.json().path("data").path("schema").asLong()).isPositive();
  }

  @Test
  void schema_bucketSchemasValidateCollectionsGroupsAndRecords_brokenSchemasRefused() {
    assertThat(put(TestServer.admin(), "/v1/buckets/sb", """
        {"data":{"record:schema":{"type":"object","required":["title"]},
                 "collection:schema":{"type":"object","properties":{"label":{"type":"string"}}},
                 "group:schema":{"type":"object","properties":{"members":{"maxItems":1}}}}}""")
        .status()).isEqualTo(201);
    var badCollection = put(TestServer.admin(), "/v1/buckets/sb/collections/c", "{\"data\":{\"label\":7}}");
    assertThat(badCollection.status()).isEqualTo(400);
    assertThat(badCollection.json().path("errno").asInt()).isEqualTo(107);
    assertThat(put(TestServer.admin(), "/v1/buckets/sb/collections/c", """
        {"data":{"label":"ok","schema":{"type":"object","properties":{"title":{"type":"string"}}}}}""")
        .status()).isEqualTo(201);
    assertThat(put(TestServer.admin(), "/v1/buckets/sb/groups/g", "{\"data\":{\"members\":[\"a\",\"b\"]}}")
        .status()).isEqualTo(400);
    assertThat(put(TestServer.admin(), "/v1/buckets/sb/groups/g", "{\"data\":{\"members\":[\"a\"]}}")
        .status()).isEqualTo(201);
    // A record must pass the bucket's record:schema (title required) and the collection's (a string).
    assertThat(put(TestServer.admin(), "/v1/buckets/sb/collections/c/records/r", "{\"data\":{\"x\":1}}")
        .status()).isEqualTo(400);
    assertThat(put(TestServer.admin(), "/v1/buckets/sb/collections/c/records/r", "{\"data\":{\"title\":1}}")
        .status()).isEqualTo(400);
    assertThat(put(TestServer.admin(), "/v1/buckets/sb/collections/c/records/r", "{\"data\":{\"title\":\"t\"}}")
        .status()).isEqualTo(201);
    // A schema that is not one is refused where it is set, not at the next write it would check.
    var brokenCollection = put(TestServer.admin(), "/v1/buckets/sb/collections/d", "{\"data\":{\"schema\":{\"type\":12}}}");
    assertThat(brokenCollection.status()).isEqualTo(400);
    assertThat(brokenCollection.json().path("details").get(0).path("name").asText()).isEqualTo("data.schema");
    assertThat(put(TestServer.admin(), "/v1/buckets/sb2", "{\"data\":{\"record:schema\":\"nope\"}}").status())
        .isEqualTo(400);
  }

  @Test
  void crossProtocol_recordIsADocumentAndDocumentIsARecord() {
    put(TestServer.admin(), "/v1/buckets/b1", "{}");
    put(TestServer.admin(), "/v1/buckets/b1/collections/myTasks", "{}");
    var rec = put(TestServer.admin(), "/v1/buckets/b1/collections/myTasks/records/t1", "{\"data\":{\"title\":\"k\"}}");
    Database db = server.engine.database("kinto/b1/my$tasks");
    Document doc = db.get("t1", ReadOptions.defaults());
    assertThat(doc.json().path("title").asText()).isEqualTo("k");
    assertThat(doc.timestamp()).isEqualTo(rec.json().path("data").path("last_modified").asLong());
    ObjectNode edit = doc.json().deepCopy();
    edit.put("title", "from couch");
    var ok = db.put(edit);
    var read = server.call(TestServer.admin(), "GET", "/v1/buckets/b1/collections/myTasks/records/t1", null);
    assertThat(read.json().path("data").path("title").asText()).isEqualTo("from couch");
    assertThat(read.json().path("data").path("last_modified").asLong()).isEqualTo(ok.timestamp());
    db.delete("t1", ok.rev());
    var list = server.call(TestServer.admin(), "GET", "/v1/buckets/b1/collections/myTasks/records?_since="
        + rec.json().path("data").path("last_modified").asLong(), null);
    assertThat(list.json().path("data").get(0).path("deleted").asBoolean()).isTrue();
  }
}
