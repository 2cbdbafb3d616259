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

final class ServerApiTest {
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
  void welcome_noAuthNeeded() {
    HttpResponse<String> res = server.send(HttpRequest.newBuilder(server.uri("/")).build());
    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode body = Json.parse(res.body());
    assertThat(body.get("couchdb").asText()).isEqualTo("Welcome");
    assertThat(body.get("uuid").asText()).isEqualTo(TestServer.SERVER_ID);
    assertThat(body.has("version")).isTrue();
    assertThat(body.path("vendor").path("name").asText()).isEqualTo("Polysync");
  }

  @Test
  void up_noAuthNeeded() {
    HttpResponse<String> res = server.send(HttpRequest.newBuilder(server.uri("/_up")).build());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(Json.parse(res.body()).get("status").asText()).isEqualTo("ok");
  }

  @Test
  void allDbs_withoutCredentials_is401WithBasicChallenge() {
    HttpResponse<String> res = server.send(HttpRequest.newBuilder(server.uri("/_all_dbs")).build());
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(res.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("unauthorized");
  }

  @Test
  void document_withoutCredentials_is401() {
    server.json("PUT", "/db", "");
    server.json("PUT", "/db/doc", "{\"secret\":1}");
    HttpResponse<String> res = server.send(HttpRequest.newBuilder(server.uri("/db/doc")).build());
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(res.body()).doesNotContain("secret");
  }

  @Test
  void basic_wrongPassword_is401() {
    HttpResponse<String> res = server.send(HttpRequest.newBuilder(server.uri("/_all_dbs"))
        .header("Authorization", "Basic YWRtaW46d3Jvbmc=").build());
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(Json.parse(res.body()).get("reason").asText()).isEqualTo("Name or password is incorrect.");
  }

  @Test
  void session_formLogin_setsCookieThatAuthenticates() {
    HttpResponse<String> login = server.send(HttpRequest.newBuilder(server.uri("/_session"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("name=admin&password=s3cret%3Awith%3Acolons")).build());
    assertThat(login.statusCode()).isEqualTo(200);
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("AuthSession=token-admin;");
    assertThat(Json.parse(login.body()).get("roles").get(0).asText()).isEqualTo("_admin");

    HttpResponse<String> dbs = server.send(HttpRequest.newBuilder(server.uri("/_all_dbs"))
        .header("Cookie", "AuthSession=token-admin").build());
    assertThat(dbs.statusCode()).isEqualTo(200);

    HttpResponse<String> session = server.send(HttpRequest.newBuilder(server.uri("/_session"))
        .header("Cookie", "AuthSession=token-admin").build());
    JsonNode body = Json.parse(session.body());
    assertThat(body.path("userCtx").path("name").asText()).isEqualTo("admin");
    assertThat(body.path("info").path("authenticated").asText()).isEqualTo("cookie");
  }

  @Test
  void session_wrongPassword_is401() {
    HttpResponse<String> login = server.send(HttpRequest.newBuilder(server.uri("/_session"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"admin\",\"password\":\"nope\"}")).build());
    assertThat(login.statusCode()).isEqualTo(401);
    assertThat(Json.parse(login.body()).get("error").asText()).isEqualTo("unauthorized");
  }

  @Test
  void session_forgedCookie_is401() {
    HttpResponse<String> res = server.send(HttpRequest.newBuilder(server.uri("/_all_dbs"))
        .header("Cookie", "AuthSession=token-mallory").build());
    assertThat(res.statusCode()).isEqualTo(401);
  }

  @Test
  void uuids_count() {
    JsonNode body = Json.parse(server.get("/_uuids?count=3").body());
    assertThat(body.get("uuids")).hasSize(3);
    assertThat(body.get("uuids").get(0).asText()).matches("[0-9a-f]{32}");
  }

  @Test
  void cors_preflightEchoesOrigin() {
    HttpResponse<String> res = server.send(HttpRequest.newBuilder(server.uri("/db/"))
        .header("Origin", "http://app.example")
        .header("Access-Control-Request-Method", "PUT")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(res.statusCode()).isLessThan(300);
    assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://app.example");
    assertThat(res.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(res.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("PUT", "DELETE");
    assertThat(res.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("authorization", "content-type");
  }

  @Test
  void unknownServerEndpoint_isJsonError() {
    HttpResponse<String> res = server.get("/_nonsense");
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("illegal_database_name");
  }

  @Test
  void cors_originNotInTheList_getsNoCorsHeaders() {
    try (TestServer restricted = new TestServer(dir.resolve("other"),
        java.util.Map.of("couch.cors.origins", "https://good.example"))) {
      HttpResponse<String> good = restricted.send(restricted.request("/_all_dbs")
          .header("Origin", "https://good.example").GET().build());
      HttpResponse<String> evil = restricted.send(restricted.request("/_all_dbs")
          .header("Origin", "https://evil.example").GET().build());
      assertThat(good.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://good.example");
      assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
  }

  @Test
  void sessionGet_wrongBasic_is401() {
    HttpResponse<String> res = server.send(HttpRequest.newBuilder(server.uri("/_session"))
        .header("Authorization", "Basic YWRtaW46d3Jvbmc=").build());
    assertThat(res.statusCode()).isEqualTo(401);
  }

  @Test
  void serverTiming_offByDefault() {
    assertThat(server.get("/db").headers().firstValue("Server-Timing")).isEmpty();
  }

  @Test
  void serverTiming_whenEnabled_givesHandlerAndAuthTimes(@TempDir Path other) {
    try (TestServer timed = new TestServer(other, java.util.Map.of("couch.server_timing", "true"))) {
      timed.json("PUT", "/timed", "");
      String value = timed.get("/timed").headers().firstValue("Server-Timing").orElseThrow();
      assertThat(value).matches("auth;dur=[0-9]+\\.[0-9]{3}, total;dur=[0-9]+\\.[0-9]{3}, start;desc=[0-9]{16}");
      // Errors and empty answers carry it too.
      assertThat(timed.get("/timed/missing").headers().firstValue("Server-Timing")).isPresent();
      // A streamed feed does not: its headers leave before its work is done.
      assertThat(timed.get("/timed/_changes?feed=continuous&timeout=10").headers().firstValue("Server-Timing")).isEmpty();
    }
  }
}
