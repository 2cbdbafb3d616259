package io.polysync.protocol.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A session cookie holding a token of {@link Authenticator#issueSession}, CouchDB's {@code cookie}
 * handler. An expired or forged cookie counts as no cookie, as in CouchDB: the request goes on
 * anonymously rather than failing, so a browser with a stale cookie can still sign in again.
 */
final class CookieAuthenticator implements HttpAuthenticator {
  static final String NAME = "cookie";

  private final Authenticator authenticator;
  private final String cookieName;

  CookieAuthenticator(Authenticator authenticator, String cookieName) {
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.cookieName = requireNonNull(cookieName, "cookieName is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean ambient() {
    return true;
  }

  @Override
  public AuthResult authenticate(RequestHeaders headers) {
    return cookie(headers)
        .flatMap(authenticator::verifySession)
        .map(p -> AuthResult.authenticated(NAME, p))
        .orElse(AuthResult.ABSENT);
  }

  private Optional<String> cookie(RequestHeaders headers) {
    for (String header : headers.all("Cookie")) {
      for (String part : header.split(";")) {
        String p = part.trim();
        if (p.startsWith(cookieName + "=")) {
          String value = p.substring(cookieName.length() + 1);
          return value.isEmpty() ? Optional.empty() : Optional.of(value);
        }
      }
    }
    return Optional.empty();
  }
}
