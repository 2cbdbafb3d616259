package io.polysync.protocol.spi;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** {@code Authorization: Basic} against the user store, CouchDB's {@code default} handler. */
final class BasicAuthenticator implements HttpAuthenticator {
  static final String NAME = "default";

  private final Authenticator authenticator;

  BasicAuthenticator(Authenticator authenticator) {
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AuthResult authenticate(RequestHeaders headers) {
    Optional<String> authorization = headers.first("Authorization").map(String::trim);
    if (authorization.isEmpty() || !authorization.get().regionMatches(true, 0, "Basic ", 0, 6)) {
      return AuthResult.ABSENT;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(authorization.get().substring(6).trim()),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return AuthResult.rejected(NAME, "Basic credentials are not base64");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return AuthResult.rejected(NAME, "Basic credentials without a name");
    }
    return authenticator.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1))
        .map(p -> AuthResult.authenticated(NAME, p))
        .orElseGet(() -> AuthResult.rejected(NAME, "wrong name or password"));
  }
}
