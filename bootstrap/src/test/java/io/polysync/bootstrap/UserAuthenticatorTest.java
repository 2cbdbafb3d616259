package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.engine.EngineOptions;
import io.polysync.engine.SyncEngine;
import io.polysync.protocol.spi.Principal;
import io.polysync.spi.StorageConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class UserAuthenticatorTest {
  private static final byte[] KEY = new byte[32];
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  SyncEngine engine;

  @BeforeEach
  void open() {
    engine = SyncEngine.open(StorageConfig.of("sqlite:" + dir.resolve("users.db")),
        EngineOptions.defaults().withKeyFile(dir.resolve("users.key")));
    engine.users().create("boss", "right", List.of(Principal.ADMIN_ROLE));
    engine.users().create("alice", "pw", List.of("staff"));
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private UserAuthenticator at(Instant now) {
    return new UserAuthenticator(engine.users(), KEY, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void authenticate_storedUsersWithTheirRoles() {
    UserAuthenticator auth = at(NOW);
    assertThat(auth.authenticate("boss", "right")).hasValueSatisfying(p -> assertThat(p.isAdmin()).isTrue());
    assertThat(auth.authenticate("alice", "pw")).hasValueSatisfying(p -> {
      assertThat(p.isAdmin()).isFalse();
      assertThat(p.roles()).containsExactly("staff");
    });
    assertThat(auth.authenticate("alice", "wrong")).isEmpty();
    assertThat(auth.authenticate("nobody", "pw")).isEmpty();
  }

  @Test
  void session_roundTrip() {
    String token = at(NOW).issueSession(new Principal("alice", List.of("staff")));
    assertThat(at(NOW).verifySession(token)).hasValueSatisfying(p -> {
      assertThat(p.name()).isEqualTo("alice");
      assertThat(p.roles()).containsExactly("staff");
    });
  }

  @Test
  void session_tamperedOrExpiredOrOtherKey_isRejected() {
    String token = at(NOW).issueSession(new Principal("alice", List.of()));
    String[] parts = token.split("\\.");
    String longer = parts[0] + "." + parts[1] + "." + (Long.parseLong(parts[2]) + 3600) + "." + parts[3];
    assertThat(at(NOW).verifySession(longer)).isEmpty();
    String otherName = "Ym9zcw" + "." + parts[1] + "." + parts[2] + "." + parts[3];
    assertThat(at(NOW).verifySession(otherName)).isEmpty();
    assertThat(at(NOW.plus(UserAuthenticator.SESSION_LIFETIME).plusSeconds(1)).verifySession(token)).isEmpty();
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    assertThat(new UserAuthenticator(engine.users(), otherKey, Clock.fixed(NOW, ZoneOffset.UTC))
        .verifySession(token)).isEmpty();
    assertThat(at(NOW).verifySession("garbage")).isEmpty();
  }

  @Test
  void session_endsWhenPasswordOrRolesChangeOrUserIsDeleted() {
    String token = at(NOW).issueSession(new Principal("alice", List.of("staff")));
    engine.users().setPassword("alice", "new");
    assertThat(at(NOW).verifySession(token)).isEmpty();
    String second = at(NOW).issueSession(new Principal("alice", List.of("staff")));
    engine.users().setRoles("alice", List.of());
    assertThat(at(NOW).verifySession(second)).isEmpty();
    String third = at(NOW).issueSession(new Principal("alice", List.of()));
    assertThat(at(NOW).verifySession(third)).isPresent();
    engine.users().delete("alice");
    assertThat(at(NOW).verifySession(third)).isEmpty();
  }
}
