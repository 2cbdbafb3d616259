package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CouchDB's couch_peruser: a private database per user, made and removed with the account. */
final class PerUserDatabaseTest {
  private static final String ADMIN = TestHttp.basic("boss", "secret");
  private static final String ALICE = TestHttp.basic("alice", "alice-pw");
  private static final String BOB = TestHttp.basic("bob", "bob-pw");
  /** {@code userdb-} and the hex of "alice". */
  private static final String ALICE_DB = "/userdb-616c696365";

  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir Path dir;

  private Server start(Map<String, String> settings) {
    return Server.start(new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"), Optional.empty(), settings),
        System.out);
  }

  private static void signUp(TestHttp http, String name, String password) {
    HttpResponse<String> res = http.put("/_users/org.couchdb.user:" + name,
        "{\"name\":\"" + name + "\",\"password\":\"" + password + "\",\"roles\":[],\"type\":\"user\"}", null);
    assertThat(res.statusCode()).isEqualTo(201);
  }

  @Test
  void couchSignUp_makesADatabaseOnlyThatUserAndAdminsMayUse() {
    try (Server server = start(Map.of("couch.peruser.enabled", "true"))) {
      TestHttp http = new TestHttp(server.port());
      signUp(http, "alice", "alice-pw");
      signUp(http, "bob", "bob-pw");

      JsonNode security = TestHttp.json(http.get(ALICE_DB + "/_security", ADMIN));
      assertThat(security.at("/admins/names").toString()).isEqualTo("[\"alice\"]");
      assertThat(security.at("/members/names").toString()).isEqualTo("[\"alice\"]");

      // What PouchDB does against its remote: info, write, read, changes.
      assertThat(http.get(ALICE_DB, ALICE).statusCode()).isEqualTo(200);
      assertThat(http.put(ALICE_DB + "/todo1", "{\"title\":\"milk\"}", ALICE).statusCode()).isEqualTo(201);
      assertThat(TestHttp.json(http.get(ALICE_DB + "/todo1", ALICE)).get("title").asText()).isEqualTo("milk");
      assertThat(TestHttp.json(http.get(ALICE_DB + "/_changes", ALICE)).get("results").size()).isEqualTo(1);
      // As the database's admin, alice may even change its security.
      assertThat(http.get(ALICE_DB + "/_security", ALICE).statusCode()).isEqualTo(200);

      assertThat(http.get(ALICE_DB + "/todo1", BOB).statusCode()).isEqualTo(403);
      assertThat(http.put(ALICE_DB + "/todo2", "{}", BOB).statusCode()).isEqualTo(403);
      assertThat(http.get(ALICE_DB + "/todo1", null).statusCode()).isEqualTo(401);
      assertThat(http.get(ALICE_DB + "/todo1", ADMIN).statusCode()).isEqualTo(200);
      assertThat(http.get("/userdb-626f62", BOB).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void kintoSignUpAndAdmin_makeOneToo_andNamesAreHexOfUtf8() {
    try (Server server = start(Map.of("couch.peruser.enabled", "true"))) {
      TestHttp http = new TestHttp(server.port());
      assertThat(http.put("/v1/accounts/carol", "{\"data\":{\"password\":\"carol-pw\"}}", null).statusCode())
          .isEqualTo(201);
      assertThat(http.get("/userdb-6361726f6c", TestHttp.basic("carol", "carol-pw")).statusCode()).isEqualTo(200);
      assertThat(http.put("/_users/org.couchdb.user:zo%C3%AB",
          "{\"name\":\"zoë\",\"password\":\"zoe-pw\",\"roles\":[],\"type\":\"user\"}", null).statusCode())
          .isEqualTo(201);
      // z o ë (c3 ab in UTF-8)
      assertThat(http.get("/userdb-7a6fc3ab", TestHttp.basic("zoë", "zoe-pw")).statusCode()).isEqualTo(200);
      assertThat(http.put("/_users/org.couchdb.user:staffer",
          "{\"name\":\"staffer\",\"password\":\"pw\",\"roles\":[\"staff\"],\"type\":\"user\"}", ADMIN).statusCode())
          .isEqualTo(201);
      assertThat(http.get("/userdb-73746166666572", TestHttp.basic("staffer", "pw")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void deleteDbs_removesTheDatabaseWithTheAccount_onlyWhenAsked() {
    try (Server server = start(Map.of("couch.peruser.enabled", "true"))) {
      TestHttp http = new TestHttp(server.port());
      signUp(http, "alice", "alice-pw");
      assertThat(http.send("DELETE", "/_users/org.couchdb.user:alice", null, Map.of("Authorization", ALICE))
          .statusCode()).isEqualTo(200);
      // CouchDB's default keeps the data.
      assertThat(http.get(ALICE_DB, ADMIN).statusCode()).isEqualTo(200);
    }
    try (Server server = start(Map.of("couch.peruser.enabled", "true", "couch.peruser.delete_dbs", "true"))) {
      TestHttp http = new TestHttp(server.port());
      signUp(http, "alice", "alice-pw");
      assertThat(http.send("DELETE", "/_users/org.couchdb.user:alice", null, Map.of("Authorization", ALICE))
          .statusCode()).isEqualTo(200);
      assertThat(http.get(ALICE_DB, ADMIN).statusCode()).isEqualTo(404);

      assertThat(http.put("/v1/accounts/bob", "{\"data\":{\"password\":\"bob-pw\"}}", null).statusCode())
          .isEqualTo(201);
      assertThat(http.get("/userdb-626f62", ADMIN).statusCode()).isEqualTo(200);
      assertThat(http.send("DELETE", "/v1/accounts/bob", null, Map.of("Authorization", BOB)).statusCode())
          .isEqualTo(200);
      assertThat(http.get("/userdb-626f62", ADMIN).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void off_byDefault_andExistingUsersGetTheirsWhenTurnedOn() {
    try (Server server = start(Map.of())) {
      TestHttp http = new TestHttp(server.port());
      signUp(http, "alice", "alice-pw");
      assertThat(http.get(ALICE_DB, ADMIN).statusCode()).isEqualTo(404);
    }
    Map<String, String> on = new HashMap<>(Map.of("couch.peruser.enabled", "true"));
    try (Server server = start(on)) {
      TestHttp http = new TestHttp(server.port());
      assertThat(http.get(ALICE_DB, ALICE).statusCode()).isEqualTo(200);
      // The admin account existed too.
      assertThat(http.get("/userdb-626f7373", ADMIN).statusCode()).isEqualTo(200);
      assertThat(http.get(ALICE_DB, BOB).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void badSettings_stopTheStart() {
    assertThatThrownBy(() -> start(Map.of("couch.peruser.enabled", "yes")))
        .isInstanceOf(StartupException.class).hasMessageContaining("couch.peruser.enabled");
    assertThatThrownBy(() -> start(Map.of("couch.peruser.database_prefix", "User-")))
        .isInstanceOf(StartupException.class).hasMessageContaining("database_prefix");
  }
}
