package io.polysync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.spi.StorageConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * User records and security objects are cached per engine: a change through the same engine
 * must count at once, one through another engine on the same storage within the bound.
 */
final class AccessCacheTest {
  private static final UserContext MIA = UserContext.of("mia", List.of());
  private static final SecurityObject MIA_MEMBER = SecurityObject.fromJson("{\"members\":{\"names\":[\"mia\"]}}");
  private static final SecurityObject OTHER_MEMBER = SecurityObject.fromJson("{\"members\":{\"names\":[\"olga\"]}}");

  private static SyncEngine open(String uri, long cacheMillis) {
    return SyncEngine.open(StorageConfig.of(uri), TestStorages.options().withAccessCacheMillis(cacheMillis));
  }

  @Test
  void sameEngine_passwordRoleAndDeletionCountAtOnce() {
    try (SyncEngine engine = open(TestStorages.freshUri(), 3_600_000)) {
      UserStore users = engine.users();
      User created = users.create("alice", "old", List.of("a"));
      assertThat(users.authenticate("alice", "old")).isPresent();

      users.setPassword("alice", "new");
      assertThat(users.authenticate("alice", "old")).isEmpty();
      assertThat(users.authenticate("alice", "new")).isPresent();

      User changed = users.setRoles("alice", List.of("b"));
      assertThat(users.authenticate("alice", "new")).hasValueSatisfying(u -> {
        assertThat(u.roles()).containsExactly("b");
        assertThat(u.version()).isEqualTo(changed.version()).isNotEqualTo(created.version());
      });
      assertThat(users.get("alice").orElseThrow().version()).isEqualTo(changed.version());

      users.delete("alice");
      assertThat(users.authenticate("alice", "new")).isEmpty();
      assertThat(users.get("alice")).isEmpty();

      users.create("alice", "again", List.of());
      assertThat(users.authenticate("alice", "new")).isEmpty();
      assertThat(users.authenticate("alice", "again")).hasValueSatisfying(u -> assertThat(u.roles()).isEmpty());
    }
  }

  @Test
  void sameEngine_securityChangeDeletionAndRecreationCountAtOnce() {
    try (SyncEngine engine = open(TestStorages.freshUri(), 3_600_000)) {
      Database db = engine.createDatabase("notes");
      assertThat(db.allows(MIA, Permission.READ)).isFalse();
      db.setSecurity(MIA_MEMBER);
      assertThat(db.allows(MIA, Permission.READ)).isTrue();

      db.setSecurity(OTHER_MEMBER);
      assertThat(db.allows(MIA, Permission.READ)).isFalse();
      db.setSecurity(MIA_MEMBER);
      assertThat(engine.database("notes").allows(MIA, Permission.WRITE)).isTrue();

      engine.deleteDatabase("notes");
      assertThat(db.allows(MIA, Permission.READ)).isFalse();
      assertThat(db.hasSecurity()).isFalse();

      Database again = engine.createDatabase("notes");
      assertThat(again.hasSecurity()).isFalse();
      assertThat(again.allows(MIA, Permission.READ)).isFalse();
    }
  }

  @Test
  void boundZero_changesThroughAnotherEngineCountAtOnce() {
    String uri = TestStorages.freshUri();
    try (SyncEngine a = open(uri, 0); SyncEngine b = open(uri, 0)) {
      b.users().create("alice", "old", List.of("a"));
      assertThat(a.users().authenticate("alice", "old")).isPresent();

      b.users().setPassword("alice", "new");
      assertThat(a.users().authenticate("alice", "old")).isEmpty();
      assertThat(a.users().authenticate("alice", "new")).isPresent();

      User changed = b.users().setRoles("alice", List.of("b"));
      assertThat(a.users().get("alice").orElseThrow().version()).isEqualTo(changed.version());
      assertThat(a.users().authenticate("alice", "new")).hasValueSatisfying(u -> assertThat(u.roles()).containsExactly("b"));

      b.users().delete("alice");
      assertThat(a.users().authenticate("alice", "new")).isEmpty();
      assertThat(a.users().get("alice")).isEmpty();

      b.createDatabase("notes").setSecurity(MIA_MEMBER);
      Database seenByA = a.database("notes");
      assertThat(seenByA.allows(MIA, Permission.READ)).isTrue();
      b.database("notes").setSecurity(OTHER_MEMBER);
      assertThat(seenByA.allows(MIA, Permission.READ)).isFalse();
      b.database("notes").setSecurity(MIA_MEMBER);
      assertThat(seenByA.allows(MIA, Permission.READ)).isTrue();
      b.deleteDatabase("notes");
      assertThat(seenByA.allows(MIA, Permission.READ)).isFalse();
    }
  }

  @Test
  void longBound_anotherEnginesChangeIsNotReadOnEveryCheck() {
    String uri = TestStorages.freshUri();
    try (SyncEngine a = open(uri, 3_600_000); SyncEngine b = open(uri, 0)) {
      b.users().create("alice", "pw", List.of("a"));
      assertThat(a.users().authenticate("alice", "pw")).isPresent();
      b.users().setRoles("alice", List.of("b"));
      // The whole point of the cache: engine A does not go back to storage within its bound.
      assertThat(a.users().authenticate("alice", "pw")).hasValueSatisfying(u -> assertThat(u.roles()).containsExactly("a"));

      b.createDatabase("notes").setSecurity(MIA_MEMBER);
      assertThat(a.database("notes").allows(MIA, Permission.READ)).isTrue();
      b.database("notes").setSecurity(OTHER_MEMBER);
      assertThat(a.database("notes").allows(MIA, Permission.READ)).isTrue();
      // Reading the database's info reads its metadata anyway, and refreshes the cached object.
      a.database("notes").info();
      assertThat(a.database("notes").allows(MIA, Permission.READ)).isFalse();
    }
  }

  @Test
  void negativeBound_isRejected() {
    assertThatThrownBy(() -> EngineOptions.defaults().withAccessCacheMillis(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
