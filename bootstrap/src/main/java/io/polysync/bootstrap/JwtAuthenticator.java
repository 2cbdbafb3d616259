package io.polysync.bootstrap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.polysync.protocol.spi.AuthResult;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.Principal;
import io.polysync.protocol.spi.RequestHeaders;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code Authorization: Bearer <JWT>} checked against an OpenID Connect issuer: the signature with
 * the issuer's published keys (JWKS), {@code exp} and {@code nbf} with a small clock skew, {@code
 * iss} and {@code aud}. The user is a claim ({@code sub} unless configured), the roles another.
 * Signing and parsing are Nimbus JOSE+JWT's.
 *
 * <p>The keys' address is {@code jwks_uri} from the issuer's discovery document ({@code
 * /.well-known/openid-configuration}), fetched on the first token, or configured directly. The key
 * set is cached and fetched again when a token names a key id it does not hold (the issuer rotated
 * its keys), at most twice per refresh interval so forged key ids cannot make the server hammer
 * the issuer. Keys that cannot be fetched make the request fail with 503, not 401: the token may
 * well be good.
 *
 * <p>Thread-safe.
 */
final class JwtAuthenticator implements HttpAuthenticator {
  private static final System.Logger LOG = System.getLogger(JwtAuthenticator.class.getName());
  static final String NAME = "jwt";
  static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
  /** Signature algorithms with a public key: HMAC ones would let anyone who knows the key sign. */
  static final List<String> DEFAULT_ALGORITHMS =
      List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  /** What the settings say. */
  record Settings(String issuer, Optional<URI> jwksUri, String audience, String userClaim, String userPrefix,
      Optional<String> rolesClaim, Set<JWSAlgorithm> algorithms, Duration clockSkew, Duration cacheLifetime,
      Duration refreshInterval) {}

  private final Settings settings;
  private final ResourceRetriever retriever;
  private final Clock clock;
  private final Object lock = new Object();
  private volatile DefaultJWTProcessor<SecurityContext> processor;
  /** When discovery may be tried again after it failed, in epoch milliseconds. */
  private long nextDiscovery;

  JwtAuthenticator(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    // Connect and read timeouts of 5 s, at most 512 KiB: an issuer's documents are small.
    this.retriever = new DefaultResourceRetriever(5_000, 5_000, 512 * 1024);
    settings.jwksUri().ifPresent(uri -> processor = processor(uri));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AuthResult authenticate(RequestHeaders headers) {
    Optional<String> authorization = headers.first("Authorization").map(String::trim);
    if (authorization.isEmpty() || !authorization.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      return AuthResult.ABSENT;
    }
    String token = authorization.get().substring(7).trim();
    JWTClaimsSet claims;
    try {
      claims = processor().process(token, null);
    } catch (ParseException e) {
      return AuthResult.rejected(NAME, "not a JWT: " + e.getMessage());
    } catch (BadJOSEException e) {
      return AuthResult.rejected(NAME, e.getMessage());
    } catch (RateLimitReachedException e) {
      return AuthResult.rejected(NAME, "unknown key id, and the issuer's keys were fetched too recently to fetch"
          + " them again");
    } catch (KeySourceException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot fetch the identity provider's keys: " + e.getMessage());
      throw new SyncException(StorageError.UNAVAILABLE, "the identity provider's keys cannot be fetched", e);
    } catch (JOSEException e) {
      return AuthResult.rejected(NAME, "signature not verified: " + e.getMessage());
    }
    Object user = claims.getClaim(settings.userClaim());
    if (!(user instanceof String name) || name.isEmpty()) {
      return AuthResult.rejected(NAME, "claim " + settings.userClaim() + " is not a non-empty string");
    }
    List<String> roles = settings.rolesClaim().map(path -> roles(claims.getClaims(), path)).orElse(List.of());
    return AuthResult.authenticated(NAME, new Principal(settings.userPrefix() + name, roles));
  }

  /**
   * The strings at a dotted path ({@code realm_access.roles} for Keycloak's realm roles), a JSON
   * list or a comma- or space-separated string; none when the claim is missing or of another type.
   */
  static List<String> roles(Map<String, Object> claims, String path) {
    Object node = claims;
    for (String part : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return List.of();
      }
      node = map.get(part);
    }
    List<String> out = new ArrayList<>();
    if (node instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof String s && !s.isBlank()) {
          out.add(s);
        }
      }
    } else if (node instanceof String s) {
      for (String r : s.split("[,\\s]+")) {
        if (!r.isBlank()) {
          out.add(r);
        }
      }
    }
    return List.copyOf(out);
  }

  private DefaultJWTProcessor<SecurityContext> processor() throws KeySourceException {
    DefaultJWTProcessor<SecurityContext> p = processor;
    if (p != null) {
      return p;
    }
    synchronized (lock) {
      if (processor != null) {
        return processor;
      }
      long now = clock.millis();
      if (now < nextDiscovery) {
        throw new KeySourceException("OpenID Connect discovery failed recently; not trying again yet");
      }
      try {
        processor = processor(discover());
        return processor;
      } catch (KeySourceException e) {
        nextDiscovery = now + settings.refreshInterval().toMillis();
        throw e;
      }
    }
  }

  /** The {@code jwks_uri} of the issuer's discovery document, which must name the same issuer. */
  private URI discover() throws KeySourceException {
    String url = settings.issuer().replaceAll("/+$", "") + DISCOVERY_PATH;
    Map<String, Object> document;
    try {
      document = JSONObjectUtils.parse(retriever.retrieveResource(URI.create(url).toURL()).getContent());
    } catch (IOException | ParseException | IllegalArgumentException e) {
      throw new KeySourceException("OpenID Connect discovery at " + url + " failed: " + e.getMessage(), e);
    }
    if (!settings.issuer().equals(document.get("issuer"))) {
      throw new KeySourceException("OpenID Connect discovery at " + url + " names the issuer "
          + document.get("issuer") + ", not " + settings.issuer());
    }
    if (!(document.get("jwks_uri") instanceof String jwks)) {
      throw new KeySourceException("OpenID Connect discovery at " + url + " has no jwks_uri");
    }
    URI uri;
    try {
      uri = checkedUri("jwks_uri", jwks);
    } catch (IllegalArgumentException e) {
      throw new KeySourceException(e.getMessage(), e);
    }
    LOG.log(System.Logger.Level.INFO, "OpenID Connect issuer " + settings.issuer() + ": keys at " + uri);
    return uri;
  }

  private DefaultJWTProcessor<SecurityContext> processor(URI jwksUri) {
    URL url;
    try {
      url = jwksUri.toURL();
    } catch (IOException e) {
      throw new IllegalArgumentException("JWKS address " + jwksUri + ": " + e.getMessage(), e);
    }
    JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(url, retriever)
        .cache(settings.cacheLifetime().toMillis(), 5_000)
        .refreshAheadCache(false)
        .rateLimited(settings.refreshInterval().toMillis())
        .retrying(false)
        .outageTolerant(false)
        .build();
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    // Identity providers type access tokens JWT, at+jwt (RFC 9068) or not at all.
    p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
        JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(settings.algorithms(), keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.of(settings.audience()),
        new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
        new HashSet<>(List.of("exp", "iss", "aud", settings.userClaim())),
        Set.of()) {
      @Override
      protected java.util.Date currentTime() {
        return java.util.Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
    p.setJWTClaimsSetVerifier(claims);
    return p;
  }

  /**
   * An address to fetch keys from: HTTPS, or HTTP to this machine only (a development issuer),
   * since keys fetched over plain HTTP could be swapped on the way.
   */
  static URI checkedUri(String what, String value) {
    URI uri;
    try {
      uri = URI.create(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not a URL: " + value, e);
    }
    if (uri.getHost() == null || uri.getScheme() == null) {
      throw new IllegalArgumentException(what + " is not an absolute http(s) URL: " + value);
    }
    if (uri.getScheme().equalsIgnoreCase("https")) {
      return uri;
    }
    if (uri.getScheme().equalsIgnoreCase("http") && isLoopback(uri.getHost())) {
      return uri;
    }
    throw new IllegalArgumentException(what + " must be https (plain http only to this machine): " + value);
  }

  private static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      // Only literal addresses: a name would be looked up here, and could change later.
      return bare.matches("[0-9.]+|[0-9a-fA-F]*:[0-9a-fA-F:.]*") && InetAddress.getByName(bare).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
