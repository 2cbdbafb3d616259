package io.polysync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.spi.SyncException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class SecurityObjectTest {
  private static final SecurityObject SECURITY = SecurityObject.fromJson(
      "{\"admins\":{\"names\":[\"dana\"],\"roles\":[\"owners\"]},"
          + "\"members\":{\"names\":[\"mia\"],\"roles\":[\"staff\"]}}");

  /** Who, then whether they may READ, WRITE, ADMIN (design documents and _security). */
  record Row(String who, UserContext user, boolean read, boolean write, boolean admin) {
    @Override
    public String toString() {
      return who;
    }
  }

  static List<Row> matrix() {
    return List.of(
        new Row("server admin", UserContext.of("root", List.of(UserContext.SERVER_ADMIN)), true, true, true),
        new Row("db admin by name", UserContext.of("dana", List.of()), true, true, true),
        new Row("db admin by role", UserContext.of("olga", List.of("owners")), true, true, true),
        new Row("member by name", UserContext.of("mia", List.of()), true, true, false),
        new Row("member by role", UserContext.of("sam", List.of("staff")), true, true, false),
        new Row("other user", UserContext.of("eve", List.of("guests")), false, false, false),
        new Row("anonymous", UserContext.anonymous(), false, false, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matrix")
  void allows_matrix(Row row) {
    assertThat(SECURITY.allows(row.user(), Permission.READ)).isEqualTo(row.read());
    assertThat(SECURITY.allows(row.user(), Permission.WRITE)).isEqualTo(row.write());
    assertThat(SECURITY.allows(row.user(), Permission.ADMIN)).isEqualTo(row.admin());
  }

  @Test
  void empty_admitsServerAdminsOnly() {
    assertThat(SecurityObject.EMPTY.allows(UserContext.of("root", List.of("_admin")), Permission.ADMIN)).isTrue();
    assertThat(SecurityObject.EMPTY.allows(UserContext.of("mia", List.of("staff")), Permission.READ)).isFalse();
    assertThat(SecurityObject.EMPTY.allows(UserContext.anonymous(), Permission.READ)).isFalse();
  }

  @Test
  void emptyMembersWithAdmins_staysClosedToOthers() {
    SecurityObject s = SecurityObject.fromJson("{\"admins\":{\"names\":[\"dana\"]},\"members\":{}}");
    assertThat(s.allows(UserContext.of("dana", List.of()), Permission.READ)).isTrue();
    assertThat(s.allows(UserContext.of("eve", List.of()), Permission.READ)).isFalse();
  }

  @Test
  void systemRoles_openToEveryoneOrToAuthenticated() {
    SecurityObject everyone = SecurityObject.fromJson("{\"members\":{\"roles\":[\"system.Everyone\"]}}");
    assertThat(everyone.allows(UserContext.anonymous(), Permission.WRITE)).isTrue();
    assertThat(everyone.allows(UserContext.anonymous(), Permission.ADMIN)).isFalse();
    SecurityObject signedIn = SecurityObject.fromJson("{\"members\":{\"roles\":[\"system.Authenticated\"]}}");
    assertThat(signedIn.allows(UserContext.anonymous(), Permission.READ)).isFalse();
    assertThat(signedIn.allows(UserContext.of("eve", List.of()), Permission.READ)).isTrue();
  }

  @Test
  void fromJson_badShapes_areBadRequest() {
    for (String bad : List.of("[]", "{\"admins\":[]}", "{\"members\":{\"names\":\"x\"}}",
        "{\"members\":{\"roles\":[1]}}", "not json")) {
      assertThatThrownBy(() -> SecurityObject.fromJson(bad)).isInstanceOfSatisfying(SyncException.class,
          e -> assertThat(e.errorCode()).isEqualTo(EngineError.BAD_REQUEST));
    }
  }

  @Test
  void toJson_roundTrips() {
    assertThat(SecurityObject.fromJson(SECURITY.toJson())).isEqualTo(SECURITY);
  }

  @Test
  void database_security_storedAndEnforced_missingDatabaseIsClosed() {
    try (SyncEngine engine = TestStorages.memoryEngine()) {
      Database db = engine.createDatabase("notes");
      UserContext mia = UserContext.of("mia", List.of());
      assertThat(db.hasSecurity()).isFalse();
      assertThat(db.allows(mia, Permission.READ)).isFalse();
      db.setSecurity(SECURITY);
      assertThat(db.hasSecurity()).isTrue();
      assertThat(db.security()).isEqualTo(SECURITY);
      assertThat(db.allows(mia, Permission.WRITE)).isTrue();
      assertThat(db.allows(mia, Permission.ADMIN)).isFalse();
      Database missing = engine.database("missing");
      assertThat(missing.allows(mia, Permission.READ)).isFalse();
      assertThat(missing.allows(UserContext.of("root", List.of("_admin")), Permission.READ)).isTrue();
    }
  }
}
