package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.protocol.spi.Principal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

final class AdminAuthenticatorTest {
  private static final String HASH = PasswordHash.hash("right");
  private static final byte[] KEY = new byte[32];

  private static AdminAuthenticator at(Instant now) {
    return new AdminAuthenticator("boss", HASH, KEY, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void authenticate_rightAndWrong() {
    AdminAuthenticator auth = at(Instant.EPOCH);
    assertThat(auth.authenticate("boss", "right")).hasValueSatisfying(p -> assertThat(p.isAdmin()).isTrue());
    assertThat(auth.authenticate("boss", "right")).isPresent();
    assertThat(auth.authenticate("boss", "wrong")).isEmpty();
    assertThat(auth.authenticate("other", "right")).isEmpty();
  }

  @Test
  void session_roundTrip() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    AdminAuthenticator auth = at(now);
    String token = auth.issueSession(new Principal("boss", List.of(Principal.ADMIN_ROLE)));
    assertThat(auth.verifySession(token)).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("boss"));
  }

  @Test
  void session_tamperedOrExpired_isRejected() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    String token = at(now).issueSession(new Principal("boss", List.of(Principal.ADMIN_ROLE)));
    String[] parts = token.split("\\.");
    String longer = parts[0] + "." + (Long.parseLong(parts[1]) + 3600) + "." + parts[2];
    assertThat(at(now).verifySession(longer)).isEmpty();
    assertThat(at(now.plus(AdminAuthenticator.SESSION_LIFETIME).plusSeconds(1)).verifySession(token)).isEmpty();
    AdminAuthenticator otherPassword =
        new AdminAuthenticator("boss", PasswordHash.hash("changed"), KEY, Clock.fixed(now, ZoneOffset.UTC));
    assertThat(otherPassword.verifySession(token)).isEmpty();
  }

  @Test
  void passwordHash_isSaltedAndChecks() {
    String a = PasswordHash.hash("pw");
    String b = PasswordHash.hash("pw");
    assertThat(a).isNotEqualTo(b).startsWith("pbkdf2-sha256$");
    assertThat(PasswordHash.matches("pw", a)).isTrue();
    assertThat(PasswordHash.matches("pw2", a)).isFalse();
    assertThat(PasswordHash.matches("pw", "garbage")).isFalse();
  }
}
