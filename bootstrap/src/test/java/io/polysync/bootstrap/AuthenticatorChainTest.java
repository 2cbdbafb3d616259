package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.protocol.spi.AuthResult;
import io.polysync.protocol.spi.Authenticator;
import io.polysync.protocol.spi.AuthenticatorContext;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.Principal;
import io.polysync.protocol.spi.RequestHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The chain's rules and the built-in authenticators, without a server. */
final class AuthenticatorChainTest {
  /** One user, alice/pw, and session tokens that are the name itself. */
  private static final Authenticator USERS = new Authenticator() {
    @Override
    public Optional<Principal> authenticate(String name, String password) {
      return name.equals("alice") && password.equals("pw")
          ? Optional.of(new Principal("alice", List.of("staff"))) : Optional.empty();
    }

    @Override
    public String issueSession(Principal principal) {
      return "session-" + principal.name();
    }

    @Override
    public Optional<Principal> verifySession(String token) {
      return token.equals("session-alice") ? Optional.of(new Principal("alice", List.of())) : Optional.empty();
    }

    @Override
    public Duration sessionLifetime() {
      return Duration.ofMinutes(10);
    }
  };

  private static RequestHeaders headers(Map<String, String> map) {
    return name -> map.entrySet().stream()
        .filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
        .map(Map.Entry::getValue).toList();
  }

  private static String basic(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  private static List<HttpAuthenticator> chain(Map<String, String> settings) {
    return Plugins.authenticators(AuthenticatorChainTest.class.getClassLoader(),
        new AuthenticatorContext(USERS, settings));
  }

  @Test
  void plugins_defaultChainIsBasicThenCookie_andSettingsAddOrRemove() {
    assertThat(chain(Map.of()).stream().map(HttpAuthenticator::name)).containsExactly("default", "cookie");
    assertThat(chain(Map.of("auth.proxy.secret", "0123456789abcdef", "auth.cookie.enabled", "false",
        "auth.jwt.issuer", "https://sso.example.com/realms/a", "auth.jwt.audience", "app"))
        .stream().map(HttpAuthenticator::name)).containsExactly("proxy", "jwt", "default");
  }

  @Test
  void first_wrongBasicWinsOverAGoodCookie() {
    List<HttpAuthenticator> chain = chain(Map.of());
    AuthResult wrong = HttpAuthenticator.first(chain,
        headers(Map.of("Authorization", basic("alice:nope"), "Cookie", "AuthSession=session-alice")));
    assertThat(wrong).isInstanceOf(AuthResult.Rejected.class);
    AuthResult cookie = HttpAuthenticator.first(chain, headers(Map.of("Cookie", "a=b; AuthSession=session-alice")));
    assertThat(cookie).isEqualTo(AuthResult.authenticated("cookie", new Principal("alice", List.of())));
    AuthResult good = HttpAuthenticator.first(chain, headers(Map.of("authorization", basic("alice:pw"))));
    assertThat(good).isEqualTo(AuthResult.authenticated("default", new Principal("alice", List.of("staff"))));
  }

  @Test
  void first_staleCookieOrOtherSchemeIsAbsent() {
    List<HttpAuthenticator> chain = chain(Map.of());
    assertThat(HttpAuthenticator.first(chain, headers(Map.of("Cookie", "AuthSession=forged"))))
        .isEqualTo(AuthResult.ABSENT);
    assertThat(HttpAuthenticator.first(chain, headers(Map.of("Authorization", "Bearer abc"))))
        .isEqualTo(AuthResult.ABSENT);
    assertThat(HttpAuthenticator.first(chain, headers(Map.of()))).isEqualTo(AuthResult.ABSENT);
  }

  @Test
  void basic_malformedIsRejected() {
    HttpAuthenticator basic = HttpAuthenticator.basic(USERS);
    for (String bad : List.of("Basic !!!", basic("no-colon"), basic(":pw"))) {
      assertThat(basic.authenticate(headers(Map.of("Authorization", bad)))).as(bad)
          .isInstanceOf(AuthResult.Rejected.class);
    }
  }

  @Test
  void cookie_isAmbient_othersAreNot() {
    assertThat(chain(Map.of("auth.proxy.secret", "0123456789abcdef")).stream()
        .filter(HttpAuthenticator::ambient).map(HttpAuthenticator::name)).containsExactly("cookie");
  }

  @Test
  void jwtRoles_readDottedPathsListsAndStrings() {
    Map<String, Object> claims = Map.of(
        "realm_access", Map.of("roles", List.of("staff", "", 7, "ops")),
        "groups", "a, b c",
        "flat", 3);
    assertThat(JwtAuthenticator.roles(claims, "realm_access.roles")).containsExactly("staff", "ops");
    assertThat(JwtAuthenticator.roles(claims, "groups")).containsExactly("a", "b", "c");
    assertThat(JwtAuthenticator.roles(claims, "flat")).isEmpty();
    assertThat(JwtAuthenticator.roles(claims, "missing.path")).isEmpty();
    assertThat(JwtAuthenticator.roles(claims, "flat.deeper")).isEmpty();
  }

  @Test
  void checkedUri_httpsAnywhere_httpOnlyToThisMachine() {
    assertThat(JwtAuthenticator.checkedUri("x", "https://sso.example.com/r").getHost()).isEqualTo("sso.example.com");
    assertThat(JwtAuthenticator.checkedUri("x", "http://127.0.0.1:8080/r").getPort()).isEqualTo(8080);
    assertThat(JwtAuthenticator.checkedUri("x", "http://localhost/r").getHost()).isEqualTo("localhost");
    assertThat(JwtAuthenticator.checkedUri("x", "http://[::1]:9/r").getPort()).isEqualTo(9);
    for (String bad : List.of("http://sso.example.com/r", "http://10.0.0.1/r", "ftp://127.0.0.1/r", "/relative",
        "http://127.0.0.1.example.com/r")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> JwtAuthenticator.checkedUri("x", bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
