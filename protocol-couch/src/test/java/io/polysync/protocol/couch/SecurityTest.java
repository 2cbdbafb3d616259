package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code _security} enforced on every {@code /{db}} endpoint, for each kind of caller. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class SecurityTest {
  TestServer server;

  /** A caller and what it may do: read, write, write design docs and _security, create/delete databases. */
  record Caller(String who, String auth, boolean read, boolean write, boolean admin, boolean server) {
    boolean anonymous() {
      return auth == null;
    }

    @Override
    public String toString() {
      return who;
    }
  }

  @BeforeAll
  void start(@TempDir Path dir) {
    server = new TestServer(dir);
    for (String[] user : new String[][] {
        {"dana", ""}, {"olga", "owners"}, {"mia", ""}, {"sam", "staff"}, {"eve", "guests"}}) {
      server.engine.users().create(user[0], "pw-" + user[0], user[1].isEmpty() ? List.of() : List.of(user[1]));
    }
    assertThat(server.json("PUT", "/notes", "").statusCode()).isEqualTo(201);
    assertThat(server.json("PUT", "/notes/_security",
        "{\"admins\":{\"names\":[\"dana\"],\"roles\":[\"owners\"]},"
            + "\"members\":{\"names\":[\"mia\"],\"roles\":[\"staff\"]}}").statusCode()).isEqualTo(200);
    assertThat(server.json("PUT", "/notes/seed", "{\"v\":1}").statusCode()).isEqualTo(201);
    assertThat(server.json("PUT", "/notes/_local/seed", "{\"v\":1}").statusCode()).isEqualTo(201);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  static List<Caller> callers() {
    return List.of(
        new Caller("server admin", TestServer.basic(), true, true, true, true),
        new Caller("db admin by name", TestServer.basic("dana", "pw-dana"), true, true, true, false),
        new Caller("db admin by role", TestServer.basic("olga", "pw-olga"), true, true, true, false),
        new Caller("member by name", TestServer.basic("mia", "pw-mia"), true, true, false, false),
        new Caller("member by role", TestServer.basic("sam", "pw-sam"), true, true, false, false),
        new Caller("other user", TestServer.basic("eve", "pw-eve"), false, false, false, false),
        new Caller("anonymous", null, false, false, false, false));
  }

  private static void assertAllowed(HttpResponse<String> res, boolean allowed, Caller c, int okStatus) {
    if (allowed) {
      assertThat(res.statusCode()).as(res.body()).isEqualTo(okStatus);
      return;
    }
    JsonNode body = Json.parse(res.body());
    if (c.anonymous()) {
      assertThat(res.statusCode()).isEqualTo(401);
      assertThat(body.get("error").asText()).isEqualTo("unauthorized");
      assertThat(res.headers().firstValue("WWW-Authenticate")).isPresent();
    } else {
      assertThat(res.statusCode()).isEqualTo(403);
      assertThat(body.get("error").asText()).isEqualTo("forbidden");
    }
  }

  private String tag(Caller c) {
    return c.who().replace(' ', '-');
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("callers")
  void reads(Caller c) {
    assertAllowed(server.as(c.auth(), "GET", "/notes", null), c.read(), c, 200);
    assertAllowed(server.as(c.auth(), "GET", "/notes/seed", null), c.read(), c, 200);
    assertAllowed(server.as(c.auth(), "GET", "/notes/_all_docs", null), c.read(), c, 200);
    assertAllowed(server.as(c.auth(), "GET", "/notes/_changes", null), c.read(), c, 200);
    assertAllowed(server.as(c.auth(), "GET", "/notes/_local/seed", null), c.read(), c, 200);
    assertAllowed(server.as(c.auth(), "POST", "/notes/_revs_diff", "{\"seed\":[\"1-a\"]}"), c.read(), c, 200);
    assertAllowed(server.as(c.auth(), "POST", "/notes/_bulk_get", "{\"docs\":[{\"id\":\"seed\"}]}"),
        c.read(), c, 200);
    assertAllowed(server.as(c.auth(), "GET", "/notes/_security", null), c.read(), c, 200);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("callers")
  void writes(Caller c) {
    assertAllowed(server.as(c.auth(), "PUT", "/notes/w-" + tag(c), "{}"), c.write(), c, 201);
    assertAllowed(server.as(c.auth(), "POST", "/notes", "{\"_id\":\"p-" + tag(c) + "\"}"), c.write(), c, 201);
    assertAllowed(server.as(c.auth(), "PUT", "/notes/_local/w-" + tag(c), "{}"), c.write(), c, 201);
    assertAllowed(server.as(c.auth(), "POST", "/notes/_bulk_docs", "{\"docs\":[{\"_id\":\"b-" + tag(c) + "\"}]}"),
        c.write(), c, 201);
    if (!c.write()) {
      // Nothing was written behind the refusal.
      assertThat(server.get("/notes/w-" + tag(c)).statusCode()).isEqualTo(404);
      assertThat(server.get("/notes/b-" + tag(c)).statusCode()).isEqualTo(404);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("callers")
  void designDocuments(Caller c) {
    assertAllowed(server.as(c.auth(), "PUT", "/notes/_design/d-" + tag(c), "{}"), c.admin(), c, 201);
    assertAllowed(server.as(c.auth(), "PUT", "/notes/_design%2Fe-" + tag(c), "{}"), c.admin(), c, 201);
    assertThat(server.as(c.auth(), "GET", "/notes/_design/d-" + tag(c), null).statusCode())
        .isEqualTo(c.admin() ? 200 : c.read() ? 404 : c.anonymous() ? 401 : 403);
    if (c.write()) {
      HttpResponse<String> res = server.as(c.auth(), "POST", "/notes/_bulk_docs",
          "{\"docs\":[{\"_id\":\"x-" + tag(c) + "\"},{\"_id\":\"_design/b-" + tag(c) + "\"},{\"_id\":\"y-" + tag(c) + "\"}]}");
      assertThat(res.statusCode()).isEqualTo(201);
      JsonNode items = Json.parse(res.body());
      assertThat(items).hasSize(3);
      assertThat(items.get(0).path("ok").asBoolean()).isTrue();
      assertThat(items.get(2).path("ok").asBoolean()).isTrue();
      assertThat(items.get(2).path("id").asText()).isEqualTo("y-" + tag(c));
      if (c.admin()) {
        assertThat(items.get(1).path("ok").asBoolean()).isTrue();
      } else {
        assertThat(items.get(1).path("id").asText()).isEqualTo("_design/b-" + tag(c));
        assertThat(items.get(1).path("error").asText()).isEqualTo("forbidden");
        assertThat(server.get("/notes/_design/b-" + tag(c)).statusCode()).isEqualTo(404);
      }
      HttpResponse<String> post = server.as(c.auth(), "POST", "/notes", "{\"_id\":\"_design/p-" + tag(c) + "\"}");
      assertThat(post.statusCode()).isEqualTo(c.admin() ? 201 : 403);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("callers")
  void securityWrite(Caller c) {
    String same = "{\"admins\":{\"names\":[\"dana\"],\"roles\":[\"owners\"]},"
        + "\"members\":{\"names\":[\"mia\"],\"roles\":[\"staff\"]}}";
    assertAllowed(server.as(c.auth(), "PUT", "/notes/_security", same), c.admin(), c, 200);
    assertAllowed(server.as(c.auth(), "PUT", "/notes/_revs_limit", "10"), c.admin(), c, 200);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("callers")
  void databaseCreateAndDelete(Caller c) {
    String db = "/made-" + tag(c);
    assertAllowed(server.as(c.auth(), "PUT", db, null), c.server(), c, 201);
    assertThat(server.engine.databaseExists(db.substring(1))).isEqualTo(c.server());
    assertAllowed(server.as(c.auth(), "DELETE", db, null), c.server(), c, 200);
    if (!c.server()) {
      assertAllowed(server.as(c.auth(), "DELETE", "/notes", null), false, c, 200);
      assertThat(server.engine.databaseExists("notes")).isTrue();
    }
    assertAllowed(server.as(c.auth(), "GET", "/_all_dbs", null), c.server(), c, 200);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("callers")
  void missingDatabase_doesNotLeakExistence(Caller c) {
    HttpResponse<String> missing = server.as(c.auth(), "GET", "/nope", null);
    HttpResponse<String> closed = server.as(c.auth(), "GET", "/notes", null);
    if (c.server()) {
      assertThat(missing.statusCode()).isEqualTo(404);
    } else if (!c.read()) {
      assertThat(missing.statusCode()).isEqualTo(closed.statusCode());
      assertThat(missing.body()).isEqualTo(closed.body());
    } else {
      // A member of another database learns nothing either: a missing database admits nobody.
      assertThat(missing.statusCode()).isIn(401, 403);
    }
  }

  @Test
  void wrongPassword_is401_evenForAPublicRequest() {
    HttpResponse<String> res = server.as(TestServer.basic("mia", "wrong"), "GET", "/notes", null);
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(res.headers().firstValue("WWW-Authenticate")).isPresent();
  }

  @Test
  void publicDatabase_throughSystemEveryone() {
    assertThat(server.json("PUT", "/open", "").statusCode()).isEqualTo(201);
    assertThat(server.json("PUT", "/open/_security", "{\"members\":{\"roles\":[\"system.Everyone\"]}}")
        .statusCode()).isEqualTo(200);
    assertThat(server.as(null, "PUT", "/open/doc", "{}").statusCode()).isEqualTo(201);
    assertThat(server.as(null, "GET", "/open/doc", null).statusCode()).isEqualTo(200);
    assertThat(server.as(null, "PUT", "/open/_design/x", "{}").statusCode()).isEqualTo(401);
  }

  @Test
  void security_get_hasCouchShape_andBadShapeIs400() {
    JsonNode sec = Json.parse(server.get("/notes/_security").body());
    assertThat(sec.path("admins").path("names").get(0).asText()).isEqualTo("dana");
    assertThat(sec.path("members").path("roles").get(0).asText()).isEqualTo("staff");
    assertThat(server.json("PUT", "/notes/_security", "{\"members\":{\"names\":\"mia\"}}").statusCode())
        .isEqualTo(400);
    HttpRequest unset = server.request("/open2").PUT(HttpRequest.BodyPublishers.noBody()).build();
    assertThat(server.send(unset).statusCode()).isEqualTo(201);
    assertThat(server.get("/open2/_security").body()).isEqualTo("{}");
  }
}
