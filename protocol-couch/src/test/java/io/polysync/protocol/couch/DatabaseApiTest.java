package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class DatabaseApiTest {
  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() {
    server = new TestServer(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void put_trailingSlash_creates() {
    HttpResponse<String> res = server.json("PUT", "/notes/", "");
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat(Json.parse(res.body()).get("ok").asBoolean()).isTrue();
  }

  @Test
  void put_twice_is412FileExists() {
    server.json("PUT", "/notes", "");
    HttpResponse<String> res = server.json("PUT", "/notes/", "");
    assertThat(res.statusCode()).isEqualTo(412);
    assertThat(res.body()).isEqualTo(
        "{\"error\":\"file_exists\",\"reason\":\"The database could not be created, the file already exists.\"}");
  }

  @Test
  void put_illegalName_is400() {
    HttpResponse<String> res = server.json("PUT", "/Notes", "");
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("illegal_database_name");
  }

  @Test
  void get_missing_is404DatabaseDoesNotExist() {
    HttpResponse<String> res = server.get("/nothere/");
    assertThat(res.statusCode()).isEqualTo(404);
    assertThat(res.body()).isEqualTo("{\"error\":\"not_found\",\"reason\":\"Database does not exist.\"}");
  }

  @Test
  void info_hasWhatTheReplicatorsRead() {
    server.json("PUT", "/notes", "");
    server.json("PUT", "/notes/a", "{}");
    server.json("PUT", "/notes/b", "{}");
    JsonNode info = Json.parse(server.get("/notes/").body());
    assertThat(info.get("db_name").asText()).isEqualTo("notes");
    assertThat(info.get("instance_start_time").asText()).isEqualTo("0");
    assertThat(info.get("update_seq").asLong()).isEqualTo(2);
    assertThat(info.get("doc_count").asLong()).isEqualTo(2);
    assertThat(info.get("doc_del_count").asLong()).isZero();
    assertThat(info.has("sizes")).isTrue();
    assertThat(info.get("purge_seq").asLong()).isZero();
  }

  @Test
  void encodedSlash_isOneDatabase() {
    assertThat(server.json("PUT", "/team%2Fnotes", "").statusCode()).isEqualTo(201);
    assertThat(server.json("PUT", "/team%2Fnotes/doc", "{\"x\":1}").statusCode()).isEqualTo(201);
    assertThat(Json.parse(server.get("/team%2Fnotes/").body()).get("db_name").asText()).isEqualTo("team/notes");
    assertThat(Json.parse(server.get("/team%2Fnotes/doc").body()).get("x").asInt()).isEqualTo(1);
    assertThat(Json.parse(server.get("/_all_dbs").body()).toString()).isEqualTo("[\"team/notes\"]");
  }

  @Test
  void head_existingAndMissing() {
    server.json("PUT", "/notes", "");
    HttpResponse<String> yes = server.send(server.request("/notes").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    HttpResponse<String> no = server.send(server.request("/other").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(yes.statusCode()).isEqualTo(200);
    assertThat(no.statusCode()).isEqualTo(404);
  }

  @Test
  void delete_thenGetIs404() {
    server.json("PUT", "/notes", "");
    assertThat(server.delete("/notes/").statusCode()).isEqualTo(200);
    assertThat(server.get("/notes").statusCode()).isEqualTo(404);
    assertThat(server.delete("/notes/").statusCode()).isEqualTo(404);
  }

  @Test
  void allDocs_keysAndRange() {
    server.json("PUT", "/notes", "");
    for (String id : new String[] {"a", "b", "c"}) {
      server.json("PUT", "/notes/" + id, "{\"v\":\"" + id + "\"}");
    }
    JsonNode range = Json.parse(server.get("/notes/_all_docs?startkey=%22b%22&include_docs=true").body());
    assertThat(range.get("rows")).hasSize(2);
    assertThat(range.get("rows").get(0).get("doc").get("v").asText()).isEqualTo("b");
    JsonNode keys = Json.parse(server.json("POST", "/notes/_all_docs", "{\"keys\":[\"c\",\"nope\"]}").body());
    assertThat(keys.get("rows").get(0).get("id").asText()).isEqualTo("c");
    assertThat(keys.get("rows").get(1).toString()).isEqualTo("{\"key\":\"nope\",\"error\":\"not_found\"}");
  }

  @Test
  void revsLimit_roundTrip() {
    server.json("PUT", "/notes", "");
    assertThat(server.get("/notes/_revs_limit").body()).isEqualTo("1000");
    assertThat(server.json("PUT", "/notes/_revs_limit", "50").statusCode()).isEqualTo(200);
    assertThat(server.get("/notes/_revs_limit").body()).isEqualTo("50");
  }

  @Test
  void security_roundTrip() {
    server.json("PUT", "/notes", "");
    assertThat(server.get("/notes/_security").body()).isEqualTo("{}");
    String sec = "{\"admins\":{\"names\":[],\"roles\":[]},\"members\":{\"names\":[\"bob\"],\"roles\":[]}}";
    assertThat(server.json("PUT", "/notes/_security", sec).statusCode()).isEqualTo(200);
    assertThat(Json.parse(server.get("/notes/_security").body())).isEqualTo(Json.parse(sec));
  }

  @Test
  void largeJsonAnswer_isGzippedWhenAccepted() throws Exception {
    server.json("PUT", "/notes", "");
    server.json("PUT", "/notes/big", "{\"text\":\"" + "lorem ipsum ".repeat(500) + "\"}");
    HttpResponse<byte[]> res = server.sendBytes(server.request("/notes/big").header("Accept-Encoding", "gzip").GET().build());
    assertThat(res.headers().firstValue("Content-Encoding")).hasValue("gzip");
    byte[] plain = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(res.body())).readAllBytes();
    assertThat(Json.parse(new String(plain, java.nio.charset.StandardCharsets.UTF_8)).get("_id").asText()).isEqualTo("big");
    assertThat(server.get("/notes/big").headers().firstValue("Content-Encoding")).isEmpty();
  }
}
