package io.polysync.bootstrap;

import io.polysync.protocol.spi.Authenticator;
import io.polysync.protocol.spi.Principal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The one server administrator: Basic credentials checked against the stored PBKDF2 hash, and
 * HMAC-signed session tokens. PouchDB sends Basic credentials with every request (about sixteen
 * per replicated write), so a successful check is remembered by a SHA-256 of the credentials;
 * wrong passwords are never remembered and always pay the slow hash.
 */
final class AdminAuthenticator implements Authenticator {
  private static final int CACHE_LIMIT = 1024;
  static final Duration SESSION_LIFETIME = Duration.ofMinutes(10);

  private final String adminName;
  private final String adminHash;
  private final byte[] sessionKey;
  private final Clock clock;
  private final Map<String, Boolean> verified = new ConcurrentHashMap<>();

  AdminAuthenticator(String adminName, String adminHash, byte[] sessionKey, Clock clock) {
    this.adminName = adminName;
    this.adminHash = adminHash;
    this.sessionKey = sessionKey.clone();
    this.clock = clock;
  }

  private Principal admin() {
    return new Principal(adminName, List.of(Principal.ADMIN_ROLE));
  }

  @Override
  public Optional<Principal> authenticate(String name, String password) {
    if (!name.equals(adminName)) {
      // Same cost as a wrong password, so a probe cannot tell names apart by time.
      PasswordHash.matches(password, adminHash);
      return Optional.empty();
    }
    String fingerprint = fingerprint(name, password);
    if (verified.containsKey(fingerprint)) {
      return Optional.of(admin());
    }
    if (!PasswordHash.matches(password, adminHash)) {
      return Optional.empty();
    }
    if (verified.size() >= CACHE_LIMIT) {
      verified.clear();
    }
    verified.put(fingerprint, Boolean.TRUE);
    return Optional.of(admin());
  }

  private String fingerprint(String name, String password) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(adminHash.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(password.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String issueSession(Principal principal) {
    long expires = clock.instant().plus(SESSION_LIFETIME).getEpochSecond();
    String name = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(principal.name().getBytes(StandardCharsets.UTF_8));
    return name + "." + expires + "." + sign(name + "." + expires);
  }

  @Override
  public Optional<Principal> verifySession(String token) {
    String[] parts = token.split("\\.");
    if (parts.length != 3) {
      return Optional.empty();
    }
    byte[] expected = sign(parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    long expires;
    String name;
    try {
      expires = Long.parseLong(parts[1]);
      name = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (clock.instant().getEpochSecond() >= expires || !name.equals(adminName)) {
      return Optional.empty();
    }
    return Optional.of(admin());
  }

  /** Keyed by the session key and the password hash: changing the password ends every session. */
  private String sign(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(sessionKey, "HmacSHA256"));
      mac.update(adminHash.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
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
