package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polysync.engine.UserStore;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /_users/org.couchdb.user:NAME}, {@code _session} for stored users, and throttling. */
final class UsersTest {
  private static final String ALICE = "/_users/org.couchdb.user:alice";
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

  private HttpResponse<String> signUp(String auth, String body) {
    return server.as(auth, "PUT", ALICE, body);
  }

  @Test
  void anonymousSignUp_createsUserWhoCanSignIn_butNeverWithRoles() {
    HttpResponse<String> withRoles = signUp(null,
        "{\"name\":\"alice\",\"password\":\"pw\",\"roles\":[\"owners\"],\"type\":\"user\"}");
    assertThat(withRoles.statusCode()).isEqualTo(403);
    assertThat(server.engine.users().get("alice")).isEmpty();
    HttpResponse<String> res = signUp(null, "{\"name\":\"alice\",\"password\":\"pw\",\"roles\":[],\"type\":\"user\"}");
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat(Json.parse(res.body()).get("id").asText()).isEqualTo("org.couchdb.user:alice");
    HttpResponse<String> session = server.as(TestServer.basic("alice", "pw"), "GET", "/_session", null);
    JsonNode ctx = Json.parse(session.body()).get("userCtx");
    assertThat(ctx.get("name").asText()).isEqualTo("alice");
    assertThat(ctx.get("roles")).isEmpty();
    // Taken names are a conflict for a stranger, not an overwrite.
    assertThat(signUp(null, "{\"name\":\"alice\",\"password\":\"mine\"}").statusCode()).isEqualTo(409);
    assertThat(server.engine.users().authenticate("alice", "pw")).isPresent();
  }

  @Test
  void get_neverShowsPasswordOrHash_andOnlyToSelfOrAdmin() {
    server.engine.users().create("alice", "pw", List.of("r"));
    server.engine.users().create("bob", "pw2", List.of());
    HttpResponse<String> asAdmin = server.get(ALICE);
    assertThat(asAdmin.statusCode()).isEqualTo(200);
    JsonNode doc = Json.parse(asAdmin.body());
    assertThat(doc.get("name").asText()).isEqualTo("alice");
    assertThat(doc.get("roles").get(0).asText()).isEqualTo("r");
    assertThat(doc.get("type").asText()).isEqualTo("user");
    assertThat(asAdmin.body()).doesNotContain("pbkdf2").doesNotContain("password").doesNotContain("\"pw\"");
    assertThat(server.as(TestServer.basic("alice", "pw"), "GET", ALICE, null).statusCode()).isEqualTo(200);
    assertThat(server.as(TestServer.basic("bob", "pw2"), "GET", ALICE, null).statusCode()).isEqualTo(403);
    assertThat(server.as(null, "GET", ALICE, null).statusCode()).isEqualTo(401);
    // Existence is not revealed to strangers either.
    assertThat(server.as(TestServer.basic("bob", "pw2"), "GET", "/_users/org.couchdb.user:zed", null).statusCode())
        .isEqualTo(403);
    assertThat(server.get("/_users/org.couchdb.user:zed").statusCode()).isEqualTo(404);
  }

  @Test
  void self_changesPassword_butNotRoles() {
    server.engine.users().create("alice", "pw", List.of("r"));
    String alice = TestServer.basic("alice", "pw");
    assertThat(signUp(alice, "{\"name\":\"alice\",\"password\":\"pw\",\"roles\":[\"_admin\"]}").statusCode())
        .isEqualTo(403);
    assertThat(server.engine.users().get("alice").orElseThrow().roles()).containsExactly("r");
    assertThat(signUp(alice, "{\"name\":\"alice\",\"password\":\"new\",\"roles\":[\"r\"],\"type\":\"user\"}")
        .statusCode()).isEqualTo(201);
    assertThat(server.as(TestServer.basic("alice", "new"), "GET", "/_session", null).statusCode()).isEqualTo(200);
    assertThat(server.as(alice, "GET", "/_session", null).statusCode()).isEqualTo(401);
  }

  @Test
  void otherUser_cannotChangeOrDelete() {
    server.engine.users().create("alice", "pw", List.of());
    server.engine.users().create("bob", "pw2", List.of());
    String bob = TestServer.basic("bob", "pw2");
    assertThat(signUp(bob, "{\"name\":\"alice\",\"password\":\"owned\"}").statusCode()).isEqualTo(403);
    assertThat(server.as(bob, "DELETE", ALICE, null).statusCode()).isEqualTo(403);
    assertThat(server.as(null, "DELETE", ALICE, null).statusCode()).isEqualTo(401);
    assertThat(server.engine.users().authenticate("alice", "pw")).isPresent();
  }

  @Test
  void admin_setsRoles_andDeletes_selfDeletes() {
    assertThat(server.json("PUT", ALICE, "{\"name\":\"alice\",\"password\":\"pw\",\"roles\":[\"owners\"]}")
        .statusCode()).isEqualTo(201);
    assertThat(server.engine.users().get("alice").orElseThrow().roles()).containsExactly("owners");
    assertThat(server.json("PUT", ALICE, "{\"name\":\"alice\",\"roles\":[\"staff\"]}").statusCode()).isEqualTo(201);
    assertThat(server.engine.users().get("alice").orElseThrow().roles()).containsExactly("staff");
    JsonNode all = Json.parse(server.get("/_users/_all_docs").body());
    assertThat(all.get("rows").toString()).contains("org.couchdb.user:alice").contains("org.couchdb.user:admin");
    // The accounts' namespace is not a database.
    assertThat(server.get("/_all_dbs").body()).doesNotContain("_users");
    assertThat(server.delete(ALICE).statusCode()).isEqualTo(200);
    assertThat(server.engine.users().get("alice")).isEmpty();
    server.engine.users().create("carol", "pw", List.of());
    assertThat(server.as(TestServer.basic("carol", "pw"), "DELETE", "/_users/org.couchdb.user:carol", null)
        .statusCode()).isEqualTo(200);
    assertThat(server.engine.users().get("carol")).isEmpty();
    assertThat(server.as(null, "GET", "/_users/_all_docs", null).statusCode()).isEqualTo(401);
  }

  @Test
  void put_nameMismatchOrBadType_isRejected() {
    assertThat(server.json("PUT", ALICE, "{\"name\":\"bob\",\"password\":\"pw\"}").statusCode()).isEqualTo(400);
    assertThat(server.json("PUT", ALICE, "{\"name\":\"alice\",\"password\":\"pw\",\"type\":\"admin\"}")
        .statusCode()).isEqualTo(403);
    assertThat(server.engine.users().get("alice")).isEmpty();
  }

  @Test
  void cookieSession_forStoredUser() {
    server.engine.users().create("alice", "pw", List.of("staff"));
    HttpResponse<String> login = server.send(HttpRequest.newBuilder(server.uri("/_session"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("name=alice&password=pw")).build());
    assertThat(login.statusCode()).isEqualTo(200);
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    HttpResponse<String> session = server.send(HttpRequest.newBuilder(server.uri("/_session"))
        .header("Cookie", cookie).GET().build());
    JsonNode body = Json.parse(session.body());
    assertThat(body.path("userCtx").path("name").asText()).isEqualTo("alice");
    assertThat(body.path("userCtx").path("roles").get(0).asText()).isEqualTo("staff");
    assertThat(body.path("info").path("authenticated").asText()).isEqualTo("cookie");
    // A cookie-only 401 carries no Basic challenge: a browser must not show a password dialog.
    HttpResponse<String> closed = server.send(HttpRequest.newBuilder(server.uri("/_all_dbs"))
        .header("Cookie", "AuthSession=forged").GET().build());
    assertThat(closed.statusCode()).isEqualTo(401);
    assertThat(closed.headers().firstValue("WWW-Authenticate")).isEmpty();
  }

  @Test
  void login_isThrottledAfterRepeatedFailures() {
    server.engine.users().create("alice", "pw", List.of());
    for (int i = 0; i < UserStore.MAX_FAILURES; i++) {
      assertThat(server.as(TestServer.basic("alice", "guess" + i), "GET", "/_session", null).statusCode())
          .isEqualTo(401);
    }
    HttpResponse<String> right = server.send(HttpRequest.newBuilder(server.uri("/_session"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"alice\",\"password\":\"pw\"}")).build());
    assertThat(right.statusCode()).isEqualTo(401);
    assertThat(Json.parse(right.body()).get("error").asText()).isEqualTo("unauthorized");
    assertThat(server.get("/_session").statusCode()).isEqualTo(200);
  }
}
