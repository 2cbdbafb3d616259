package io.polysync.bootstrap;

import io.polysync.engine.User;
import io.polysync.engine.UserStore;
import io.polysync.protocol.spi.Authenticator;
import io.polysync.protocol.spi.Principal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Credentials checked by the engine's {@link UserStore}, and HMAC-signed session tokens that any
 * process sharing the storage (and so the session key) can verify. A token names the account's
 * version, so a new password, new roles or a deleted account end every session at once.
 */
final class UserAuthenticator implements Authenticator {
  static final Duration SESSION_LIFETIME = Duration.ofMinutes(10);

  private final UserStore users;
  private final byte[] sessionKey;
  private final Clock clock;

  UserAuthenticator(UserStore users, byte[] sessionKey, Clock clock) {
    this.users = users;
    this.sessionKey = sessionKey.clone();
    this.clock = clock;
  }

  private static Principal principal(User user) {
    return new Principal(user.name(), user.roles());
  }

  @Override
  public Optional<Principal> authenticate(String name, String password) {
    return users.authenticate(name, password).map(UserAuthenticator::principal);
  }

  @Override
  public String issueSession(Principal principal) {
    User user = users.get(principal.name()).orElseThrow(
        () -> new IllegalArgumentException("no such user: " + principal.name()));
    long expires = clock.instant().plus(SESSION_LIFETIME).getEpochSecond();
    String payload = encode(user.name()) + "." + user.version() + "." + expires;
    return payload + "." + sign(payload);
  }

  @Override
  public Optional<Principal> verifySession(String token) {
    String[] parts = token.split("\\.");
    if (parts.length != 4) {
      return Optional.empty();
    }
    String payload = parts[0] + "." + parts[1] + "." + parts[2];
    byte[] expected = sign(payload).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, parts[3].getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    String name;
    long version;
    long expires;
    try {
      name = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
      version = Long.parseLong(parts[1]);
      expires = Long.parseLong(parts[2]);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (clock.instant().getEpochSecond() >= expires) {
      return Optional.empty();
    }
    return users.get(name).filter(u -> u.version() == version).map(UserAuthenticator::principal);
  }

  private static String encode(String name) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(name.getBytes(StandardCharsets.UTF_8));
  }

  private String sign(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(sessionKey, "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Duration sessionLifetime() {
    return SESSION_LIFETIME;
  }
}
