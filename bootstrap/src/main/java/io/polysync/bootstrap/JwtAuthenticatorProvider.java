package io.polysync.bootstrap;

import com.nimbusds.jose.JWSAlgorithm;
import io.polysync.protocol.spi.AuthenticatorContext;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.HttpAuthenticatorProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer JWTs of an OpenID Connect issuer ({@link JwtAuthenticator}), on when {@code
 * auth.jwt.issuer} is set. Settings: {@code auth.jwt.issuer}, {@code auth.jwt.audience}
 * (required), {@code auth.jwt.jwks_uri} (else discovered), {@code auth.jwt.user_claim} ({@code
 * sub}), {@code auth.jwt.user_prefix} (none; {@code oidc:} keeps token users apart from stored
 * accounts, whose names cannot hold a colon), {@code auth.jwt.roles_claim} (none; a dotted path such as {@code realm_access.roles}),
 * {@code auth.jwt.algorithms} (RS*, PS*, ES*), {@code auth.jwt.clock_skew_seconds} (60), {@code
 * auth.jwt.jwks_cache_seconds} (300), {@code auth.jwt.jwks_refresh_min_seconds} (30).
 */
public final class JwtAuthenticatorProvider implements HttpAuthenticatorProvider {
  @Override
  public String name() {
    return JwtAuthenticator.NAME;
  }

  @Override
  public int order() {
    return 200;
  }

  @Override
  public Optional<HttpAuthenticator> create(AuthenticatorContext context) {
    Optional<String> issuer = context.setting("auth.jwt.issuer");
    if (issuer.isEmpty()) {
      if (context.setting("auth.jwt.jwks_uri").isPresent() || context.setting("auth.jwt.audience").isPresent()) {
        throw new IllegalArgumentException("auth.jwt.* settings need auth.jwt.issuer, the issuer tokens must name");
      }
      return Optional.empty();
    }
    String audience = context.setting("auth.jwt.audience").orElseThrow(() -> new IllegalArgumentException(
        "setting auth.jwt.audience is required with auth.jwt.issuer: the client id tokens must be issued for"));
    if (context.setting("auth.jwt.jwks_uri").isEmpty()) {
      JwtAuthenticator.checkedUri("auth.jwt.issuer", issuer.get());
    }
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    for (String name : context.setting("auth.jwt.algorithms")
        .orElse(String.join(",", JwtAuthenticator.DEFAULT_ALGORITHMS)).split(",")) {
      if (name.isBlank()) {
        continue;
      }
      JWSAlgorithm algorithm = JWSAlgorithm.parse(name.trim());
      if (!JWSAlgorithm.Family.RSA.contains(algorithm) && !JWSAlgorithm.Family.EC.contains(algorithm)) {
        throw new IllegalArgumentException("setting auth.jwt.algorithms: " + name.trim()
            + " is not an RSA or EC signature algorithm (HMAC and none are refused)");
      }
      algorithms.add(algorithm);
    }
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("setting auth.jwt.algorithms names no algorithm");
    }
    long cacheSeconds = Math.max(1, nonNegative(context, "auth.jwt.jwks_cache_seconds", 300));
    long refreshSeconds = nonNegative(context, "auth.jwt.jwks_refresh_min_seconds", 30);
    if (refreshSeconds >= cacheSeconds) {
      // Nimbus's key cache needs it, and keys kept longer than they may be refreshed make sense only so.
      throw new IllegalArgumentException("setting auth.jwt.jwks_refresh_min_seconds (" + refreshSeconds
          + ") must be less than auth.jwt.jwks_cache_seconds (" + cacheSeconds + ")");
    }
    JwtAuthenticator.Settings settings = new JwtAuthenticator.Settings(
        issuer.get(),
        context.setting("auth.jwt.jwks_uri").map(u -> JwtAuthenticator.checkedUri("auth.jwt.jwks_uri", u)),
        audience,
        context.setting("auth.jwt.user_claim").orElse("sub"),
        context.setting("auth.jwt.user_prefix").orElse(""),
        context.setting("auth.jwt.roles_claim"),
        algorithms,
        Duration.ofSeconds(nonNegative(context, "auth.jwt.clock_skew_seconds", 60)),
        Duration.ofSeconds(cacheSeconds),
        Duration.ofSeconds(refreshSeconds));
    return Optional.of(new JwtAuthenticator(settings, Clock.systemUTC()));
  }

  private static long nonNegative(AuthenticatorContext context, String key, long fallback) {
    long value = context.number(key, fallback);
    if (value < 0) {
      throw new IllegalArgumentException("setting " + key + " must not be negative: " + value);
    }
    return value;
  }
}
