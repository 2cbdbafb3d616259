package io.polysync.protocol.kinto;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.engine.Permission;
import io.polysync.engine.UserContext;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class EventsAndSettingsTest {
  @TempDir
  Path dir;

  @Test
  void events_writeToCollection_streamSaysASyncIsDue() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      String admin = TestServer.admin();
      var rec = server.call(admin, "PUT", "/v1/buckets/default/collections/live/records/r0", "{\"data\":{}}",
          "Content-Type", "application/json");
      long first = rec.json().path("data").path("last_modified").asLong();
      HttpRequest req = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.web.port() + "/v1/buckets/default/collections/live/events"))
          .header("Authorization", admin).header("Last-Event-ID", Long.toString(first - 1))
          .timeout(Duration.ofSeconds(30)).build();
      HttpResponse<Stream<String>> res = server.http.send(req, HttpResponse.BodyHandlers.ofLines());
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.headers().firstValue("Content-Type")).hasValue("text/event-stream");
      Iterator<String> lines = res.body().iterator();
      // Missed while away: an event at once, with the current timestamp.
      assertThat(nextData(lines)).isEqualTo("{\"last_modified\":" + first + "}");
      CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> nextData(lines));
      Thread.sleep(200);
      var second = server.call(admin, "PUT", "/v1/buckets/default/collections/live/records/r1", "{\"data\":{}}",
          "Content-Type", "application/json");
      long ts = second.json().path("data").path("last_modified").asLong();
      assertThat(next.get(20, TimeUnit.SECONDS)).isEqualTo("{\"last_modified\":" + ts + "}");
      res.body().close();
    }
  }

  private static String nextData(Iterator<String> lines) {
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith("data: ")) {
        return line.substring(6);
      }
    }
    return null;
  }

  @Test
  void events_strangerOnPrivateCollection_403() {
    try (TestServer server = new TestServer(dir)) {
      server.call(null, "PUT", "/v1/accounts/eve", "{\"data\":{\"password\":\"pe\"}}", "Content-Type", "application/json");
      server.call(TestServer.admin(), "PUT", "/v1/buckets/b", "{}", "Content-Type", "application/json");
      server.call(TestServer.admin(), "PUT", "/v1/buckets/b/collections/c", "{}", "Content-Type", "application/json");
      var res = server.call(TestServer.basic("eve", "pe"), "GET", "/v1/buckets/b/collections/c/events", null);
      assertThat(res.status()).isEqualTo(403);
      assertThat(res.json().path("errno").asInt()).isEqualTo(121);
    }
  }

  @Test
  void settings_backoffBatchLimitAndReadonly() {
    try (TestServer server = new TestServer(dir, Map.of("kinto.backoff", "7", "kinto.batch_max_requests", "2"))) {
      var root = server.call(null, "GET", "/v1/", null);
      assertThat(root.header("Backoff")).isEqualTo("7");
      assertThat(root.json().path("settings").path("batch_max_requests").asInt()).isEqualTo(2);
      var batch = server.call(TestServer.admin(), "POST", "/v1/batch",
          "{\"requests\":[{\"path\":\"/\"},{\"path\":\"/\"},{\"path\":\"/\"}]}");
      assertThat(batch.status()).isEqualTo(400);
    }
  }

  @Test
  void couchSecurity_bucketWritersAreMembersOfTheCollectionDatabase() {
    try (TestServer server = new TestServer(dir)) {
      server.call(null, "PUT", "/v1/accounts/ann", "{\"data\":{\"password\":\"pa\"}}", "Content-Type", "application/json");
      server.call(null, "PUT", "/v1/accounts/rob", "{\"data\":{\"password\":\"pr\"}}", "Content-Type", "application/json");
      String ann = TestServer.basic("ann", "pa");
      var root = server.call(ann, "GET", "/v1/", null);
      String bucket = root.json().path("user").path("bucket").asText();
      server.call(ann, "GET", "/v1/buckets/default/collections/notes", null);
      var db = server.engine.database("kinto/" + bucket + "/notes");
      assertThat(db.allows(UserContext.of("ann", List.of()), Permission.WRITE)).isTrue();
      assertThat(db.allows(UserContext.of("rob", List.of()), Permission.READ)).isFalse();
      // A read-only grant does not open the CouchDB side (members there may write).
      server.call(ann, "PATCH", "/v1/buckets/default/collections/notes", "{\"permissions\":{\"read\":[\"account:rob\"]}}",
          "Content-Type", "application/json");
      assertThat(db.allows(UserContext.of("rob", List.of()), Permission.READ)).isFalse();
      server.call(ann, "PATCH", "/v1/buckets/default/collections/notes", "{\"permissions\":{\"write\":[\"account:rob\"]}}",
          "Content-Type", "application/json");
      assertThat(db.allows(UserContext.of("rob", List.of()), Permission.WRITE)).isTrue();
    }
  }

  @Test
  void history_entriesFilteredToWhatTheCallerMayRead() {
    try (TestServer server = new TestServer(dir, Map.of("kinto.history", "true"))) {
      String json = "application/json";
      server.call(null, "PUT", "/v1/accounts/al", "{\"data\":{\"password\":\"p1\"}}", "Content-Type", json);
      server.call(null, "PUT", "/v1/accounts/bo", "{\"data\":{\"password\":\"p2\"}}", "Content-Type", json);
      String al = TestServer.basic("al", "p1");
      String bo = TestServer.basic("bo", "p2");
      server.call(TestServer.admin(), "PUT", "/v1/buckets/h", "{}", "Content-Type", json);
      server.call(TestServer.admin(), "PUT", "/v1/buckets/h/collections/c",
          "{\"permissions\":{\"record:create\":[\"system.Authenticated\"]}}", "Content-Type", json);
      server.call(al, "PUT", "/v1/buckets/h/collections/c/records/a", "{\"data\":{\"v\":1}}", "Content-Type", json);
      server.call(al, "PUT", "/v1/buckets/h/collections/c/records/a", "{\"data\":{\"v\":2}}", "Content-Type", json);
      server.call(bo, "PUT", "/v1/buckets/h/collections/c/records/b", "{\"data\":{\"v\":3}}", "Content-Type", json);
      server.call(bo, "DELETE", "/v1/buckets/h/collections/c/records/b", null);
      assertThat(server.call(null, "GET", "/v1/", null).json().path("capabilities").has("history")).isTrue();
      var all = server.call(TestServer.admin(), "GET", "/v1/buckets/h/history?resource_name=record&_sort=last_modified", null);
      assertThat(all.status()).isEqualTo(200);
      assertThat(all.json().path("data")).hasSize(4);
      assertThat(all.json().path("data").get(0).path("action").asText()).isEqualTo("create");
      assertThat(all.json().path("data").get(1).path("action").asText()).isEqualTo("update");
      assertThat(all.json().path("data").get(1).path("target").path("data").path("v").asInt()).isEqualTo(2);
      assertThat(all.json().path("data").get(3).path("action").asText()).isEqualTo("delete");
      assertThat(all.json().path("data").get(0).path("user_id").asText()).isEqualTo("account:al");
      var mine = server.call(bo, "GET", "/v1/buckets/h/history?resource_name=record", null);
      assertThat(mine.json().path("data")).hasSize(2);
      mine.json().path("data").forEach(e -> assertThat(e.path("record_id").asText()).isEqualTo("b"));
      assertThat(server.call(bo, "DELETE", "/v1/buckets/h/history", null).status()).isEqualTo(403);
      assertThat(server.call(TestServer.admin(), "DELETE", "/v1/buckets/h/history", null).status()).isEqualTo(200);
      assertThat(server.call(TestServer.admin(), "GET", "/v1/buckets/h/history", null).json().path("data")).isEmpty();
    }
  }

  @Test
  void storageUnavailable_503WithRetryAfter_heartbeatSaysSo_lbHeartbeatStaysUp() {
    try (TestServer server = new TestServer(dir)) {
      server.call(TestServer.admin(), "PUT", "/v1/buckets/b", "{}", "Content-Type", "application/json");
      // A closed storage answers every call as unavailable, as a database that went away does.
      server.engine.close();
      var read = server.call(TestServer.admin(), "GET", "/v1/buckets/b", null);
      assertThat(read.status()).isEqualTo(503);
      assertThat(read.json().path("errno").asInt()).isEqualTo(201);
      assertThat(read.header("Retry-After")).isEqualTo("30");
      var heartbeat = server.call(null, "GET", "/v1/__heartbeat__", null);
      assertThat(heartbeat.status()).isEqualTo(503);
      assertThat(heartbeat.json().path("storage").asBoolean()).isFalse();
      assertThat(server.call(null, "GET", "/v1/__lbheartbeat__", null).status()).isEqualTo(200);
      // A checker that sends credentials gets the same answers: they are not checked there.
      assertThat(server.call(TestServer.admin(), "GET", "/v1/__lbheartbeat__", null).status()).isEqualTo(200);
      assertThat(server.call(TestServer.admin(), "GET", "/v1/__heartbeat__", null).status()).isEqualTo(503);
      assertThat(server.call(null, "GET", "/v1/__version__", null).status()).isEqualTo(200);
    }
  }

  @Test
  void permissionsEndpoint_listsWhatTheCallerHoldsExplicitly_onlyWhenTurnedOn() {
    String json = "application/json";
    try (TestServer off = new TestServer(dir.resolve("off"))) {
      assertThat(off.call(TestServer.admin(), "GET", "/v1/permissions", null).status()).isEqualTo(404);
      assertThat(off.call(null, "GET", "/v1/", null).json().path("capabilities").has("permissions_endpoint")).isFalse();
    }
    try (TestServer server = new TestServer(dir.resolve("on"), Map.of("kinto.experimental_permissions_endpoint", "true"))) {
      server.call(null, "PUT", "/v1/accounts/al", "{\"data\":{\"password\":\"p1\"}}", "Content-Type", json);
      server.call(null, "PUT", "/v1/accounts/bo", "{\"data\":{\"password\":\"p2\"}}", "Content-Type", json);
      String al = TestServer.basic("al", "p1");
      String bo = TestServer.basic("bo", "p2");
      server.call(TestServer.admin(), "PUT", "/v1/buckets/p", "{\"permissions\":{\"write\":[\"account:al\"]}}",
          "Content-Type", json);
      server.call(al, "PUT", "/v1/buckets/p/collections/c",
          "{\"permissions\":{\"record:create\":[\"account:bo\"]}}", "Content-Type", json);
      server.call(al, "PUT", "/v1/buckets/p/groups/g", "{\"data\":{\"members\":[\"account:bo\"]}}", "Content-Type", json);
      assertThat(server.call(bo, "PUT", "/v1/buckets/p/collections/c/records/r1", "{\"data\":{\"v\":1}}",
          "Content-Type", json).status()).isEqualTo(201);
      assertThat(server.call(bo, "PUT", "/v1/buckets/p/collections/c/records/r2", "{\"data\":{\"v\":2},"
          + "\"permissions\":{\"read\":[\"/buckets/p/groups/g\"]}}", "Content-Type", json).status()).isEqualTo(201);
      server.call(bo, "DELETE", "/v1/buckets/p/collections/c/records/r1", null);
      assertThat(server.call(null, "GET", "/v1/", null).json().path("capabilities").has("permissions_endpoint")).isTrue();

      var alSees = server.call(al, "GET", "/v1/permissions?_sort=uri", null);
      assertThat(alSees.status()).isEqualTo(200);
      // The bucket (explicit write) only: the collection and group inherit, so are not listed.
      assertThat(alSees.json().path("data")).hasSize(1);
      var bucket = alSees.json().path("data").get(0);
      assertThat(bucket.path("uri").asText()).isEqualTo("/buckets/p");
      assertThat(bucket.path("resource_name").asText()).isEqualTo("bucket");
      assertThat(bucket.path("bucket_id").asText()).isEqualTo("p");
      assertThat(bucket.path("permissions").toString())
          .isEqualTo("[\"collection:create\",\"group:create\",\"read\",\"write\"]");

      var boSees = server.call(bo, "GET", "/v1/permissions?_sort=uri", null);
      assertThat(boSees.header("Total-Objects")).isEqualTo("2");
      // The collection (record:create) and r2 (write as its author, read through the group);
      // r1 is deleted, so it is not listed although its permissions are kept for its tombstone.
      assertThat(boSees.json().path("data").get(0).path("uri").asText()).isEqualTo("/buckets/p/collections/c");
      assertThat(boSees.json().path("data").get(0).path("permissions").toString()).isEqualTo("[\"record:create\"]");
      var r2 = boSees.json().path("data").get(1);
      assertThat(r2.path("uri").asText()).isEqualTo("/buckets/p/collections/c/records/r2");
      assertThat(r2.path("resource_name").asText()).isEqualTo("record");
      assertThat(r2.path("record_id").asText()).isEqualTo("r2");
      assertThat(r2.path("collection_id").asText()).isEqualTo("c");
      assertThat(r2.path("permissions").toString()).isEqualTo("[\"read\",\"write\"]");

      var filtered = server.call(bo, "GET", "/v1/permissions?resource_name=record", null);
      assertThat(filtered.json().path("data")).hasSize(1);
      var paged = server.call(bo, "GET", "/v1/permissions?_sort=uri&_limit=1", null);
      assertThat(paged.json().path("data")).hasSize(1);
      assertThat(paged.header("Next-Page")).contains("_token=");
      assertThat(server.call(null, "GET", "/v1/permissions", null).json().path("data")).isEmpty();
      assertThat(server.call(bo, "POST", "/v1/permissions", "{}", "Content-Type", json).status()).isEqualTo(405);
    }
  }
}
