package io.polysync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.spi.SyncException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class UserStoreTest {
  private final SyncEngine engine = TestStorages.memoryEngine();
  private final UserStore users = engine.users();

  @AfterEach
  void close() {
    engine.close();
  }

  private static void assertCode(Runnable call, EngineError code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(
        SyncException.class, e -> assertThat(e.errorCode()).isEqualTo(code));
  }

  @Test
  void create_thenGet_hasRolesAndTimesButNoPassword() {
    User created = users.create("alice", "pw", List.of("editors"));
    User read = users.get("alice").orElseThrow();
    assertThat(read.name()).isEqualTo("alice");
    assertThat(read.roles()).containsExactly("editors");
    assertThat(read.created()).isPositive().isEqualTo(read.updated());
    assertThat(read.version()).isEqualTo(created.version());
    assertThat(read.toString()).doesNotContain("pw").doesNotContain("pbkdf2");
  }

  @Test
  void create_twice_isUserExists() {
    users.create("alice", "pw", List.of());
    assertCode(() -> users.create("alice", "other", List.of()), EngineError.USER_EXISTS);
    assertThat(users.authenticate("alice", "pw")).isPresent();
  }

  @Test
  void create_badNamesRolesPasswords_areInvalid() {
    assertCode(() -> users.create("a:b", "pw", List.of()), EngineError.INVALID_USER);
    assertCode(() -> users.create("_system", "pw", List.of()), EngineError.INVALID_USER);
    assertCode(() -> users.create("", "pw", List.of()), EngineError.INVALID_USER);
    assertCode(() -> users.create("bob", "", List.of()), EngineError.INVALID_USER);
    assertCode(() -> users.create("bob", "pw", List.of("_reader")), EngineError.INVALID_USER);
    assertCode(() -> users.create("bob", "pw", List.of(UserContext.EVERYONE)), EngineError.INVALID_USER);
    assertThat(users.get("bob")).isEmpty();
  }

  @Test
  void authenticate_rightWrongAndUnknown() {
    users.create("alice", "pw", List.of("r"));
    assertThat(users.authenticate("alice", "pw")).hasValueSatisfying(u -> assertThat(u.roles()).containsExactly("r"));
    assertThat(users.authenticate("alice", "pw")).isPresent();
    assertThat(users.authenticate("alice", "PW")).isEmpty();
    assertThat(users.authenticate("nobody", "pw")).isEmpty();
  }

  @Test
  void setPassword_oldOneStopsWorking_versionGrows() {
    User before = users.create("alice", "old", List.of());
    assertThat(users.authenticate("alice", "old")).isPresent();
    User after = users.setPassword("alice", "new");
    assertThat(after.version()).isGreaterThan(before.version());
    assertThat(users.authenticate("alice", "old")).isEmpty();
    assertThat(users.authenticate("alice", "new")).isPresent();
  }

  @Test
  void setRoles_replacesRoles_keepsPassword() {
    users.create("alice", "pw", List.of("a"));
    users.setRoles("alice", List.of("b", UserContext.SERVER_ADMIN));
    assertThat(users.get("alice").orElseThrow().roles()).containsExactly("b", UserContext.SERVER_ADMIN);
    assertThat(users.authenticate("alice", "pw")).isPresent();
  }

  @Test
  void delete_removesUserAndCredentials() {
    users.create("alice", "pw", List.of());
    users.delete("alice");
    assertThat(users.get("alice")).isEmpty();
    assertThat(users.authenticate("alice", "pw")).isEmpty();
    assertCode(() -> users.delete("alice"), EngineError.USER_NOT_FOUND);
    assertCode(() -> users.setPassword("alice", "x"), EngineError.USER_NOT_FOUND);
  }

  @Test
  void list_inNameOrder_afterAndLimit() {
    users.create("carol", "pw", List.of());
    users.create("alice", "pw", List.of());
    users.create("bob", "pw", List.of());
    assertThat(users.list("", 10)).extracting(User::name).containsExactly("alice", "bob", "carol");
    assertThat(users.list("alice", 1)).extracting(User::name).containsExactly("bob");
    users.delete("bob");
    assertThat(users.list("", 10)).extracting(User::name).containsExactly("alice", "carol");
  }

  @Test
  void users_areSharedByEnginesOnOneStorage() {
    String uri = TestStorages.freshUri();
    try (SyncEngine one = TestStorages.open(uri);
        SyncEngine two = TestStorages.open(uri)) {
      one.users().create("alice", "pw", List.of());
      assertThat(two.users().authenticate("alice", "pw")).isPresent();
      two.users().setRoles("alice", List.of("staff"));
      assertThat(one.users().get("alice").orElseThrow().roles()).containsExactly("staff");
    }
  }

  @Test
  void authenticate_afterMaxFailures_refusesEvenTheRightPassword() {
    users.create("alice", "pw", List.of());
    for (int i = 0; i < UserStore.MAX_FAILURES; i++) {
      assertThat(users.authenticate("alice", "guess" + i)).isEmpty();
    }
    assertThat(users.authenticate("alice", "pw")).isEmpty();
    // Other names are not affected.
    users.create("bob", "pw", List.of());
    assertThat(users.authenticate("bob", "pw")).isPresent();
    // An administrator resetting the password lifts the lockout.
    users.setPassword("alice", "pw2");
    assertThat(users.authenticate("alice", "pw2")).isPresent();
  }

  @Test
  void authenticate_successResetsTheFailureCount() {
    users.create("alice", "pw", List.of());
    for (int i = 0; i < UserStore.MAX_FAILURES - 1; i++) {
      assertThat(users.authenticate("alice", "guess" + i)).isEmpty();
    }
    assertThat(users.authenticate("alice", "pw")).isPresent();
    assertThat(users.authenticate("alice", "guess")).isEmpty();
    assertThat(users.authenticate("alice", "pw")).isPresent();
  }

  @Test
  void createHashed_acceptsOnlyTheKnownFormat() {
    assertCode(() -> users.createHashed("old", "md5$abc", List.of()), EngineError.INVALID_USER);
  }
}
