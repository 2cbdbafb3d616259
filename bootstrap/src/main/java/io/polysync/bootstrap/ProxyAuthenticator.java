package io.polysync.bootstrap;

import io.polysync.protocol.spi.AuthResult;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.Principal;
import io.polysync.protocol.spi.RequestHeaders;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CouchDB's proxy authentication: a reverse proxy that has signed the user in passes the name in
 * {@code X-Auth-CouchDB-UserName}, the roles (comma-separated) in {@code X-Auth-CouchDB-Roles}, and
 * proves it knows the shared secret with {@code X-Auth-CouchDB-Token}, the hex HMAC of the name.
 * CouchDB 3 signs with HMAC-SHA1; newer ones with the first of their {@code hash_algorithms}: any
 * configured algorithm is accepted. Without the secret (only when explicitly allowed) anyone who
 * can reach the server can claim any user, admins included.
 *
 * <p>Thread-safe.
 */
final class ProxyAuthenticator implements HttpAuthenticator {
  static final String NAME = "proxy";

  /** The names of the JDK's HMACs by CouchDB's names for them. */
  static String macName(String algorithm) {
    return switch (algorithm.trim().toLowerCase(Locale.ROOT)) {
      case "sha", "sha1", "sha-1" -> "HmacSHA1";
      case "sha224", "sha-224" -> "HmacSHA224";
      case "sha256", "sha-256" -> "HmacSHA256";
      case "sha384", "sha-384" -> "HmacSHA384";
      case "sha512", "sha-512" -> "HmacSHA512";
      default -> throw new IllegalArgumentException("setting auth.proxy.hash_algorithms: unknown algorithm "
          + algorithm + " (sha1, sha224, sha256, sha384, sha512)");
    };
  }

  private final String userHeader;
  private final String rolesHeader;
  private final String tokenHeader;
  private final Optional<byte[]> secret;
  private final List<String> macs;

  /**
   * @param secret the shared secret; empty only for the unsigned mode
   * @param macs JDK HMAC names, such as {@code HmacSHA256}
   */
  ProxyAuthenticator(String userHeader, String rolesHeader, String tokenHeader, Optional<byte[]> secret,
      List<String> macs) {
    this.userHeader = userHeader;
    this.rolesHeader = rolesHeader;
    this.tokenHeader = tokenHeader;
    this.secret = secret.map(byte[]::clone);
    this.macs = List.copyOf(macs);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AuthResult authenticate(RequestHeaders headers) {
    Optional<String> user = headers.first(userHeader);
    if (user.isEmpty()) {
      return AuthResult.ABSENT;
    }
    String name = user.get().trim();
    if (name.isEmpty()) {
      return AuthResult.rejected(NAME, "empty " + userHeader);
    }
    if (secret.isPresent()) {
      Optional<String> token = headers.first(tokenHeader).map(String::trim);
      if (token.isEmpty()) {
        return AuthResult.rejected(NAME, "no " + tokenHeader);
      }
      byte[] given = token.get().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
      boolean good = false;
      for (String mac : macs) {
        // Every algorithm is tried, so the time taken does not tell which one matched.
        good |= MessageDigest.isEqual(sign(mac, name).getBytes(StandardCharsets.US_ASCII), given);
      }
      if (!good) {
        return AuthResult.rejected(NAME, "wrong " + tokenHeader + " for " + name);
      }
    }
    List<String> roles = new ArrayList<>();
    headers.first(rolesHeader).ifPresent(value -> {
      for (String role : value.split(",")) {
        if (!role.isBlank()) {
          roles.add(role.trim());
        }
      }
    });
    return AuthResult.authenticated(NAME, new Principal(name, roles));
  }

  /** The token of {@code name}: lower-case hex of its HMAC with the secret. */
  String sign(String mac, String name) {
    try {
      Mac m = Mac.getInstance(mac);
      m.init(new SecretKeySpec(secret.orElseThrow(), mac));
      return HexFormat.of().formatHex(m.doFinal(name.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
