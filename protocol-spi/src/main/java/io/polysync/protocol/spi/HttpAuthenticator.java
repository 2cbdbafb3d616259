package io.polysync.protocol.spi;

import java.util.List;

/**
 * Authenticates an HTTP request from its headers: Basic credentials, a session cookie, a bearer
 * token, a trusted proxy's headers. Front-ends ask each authenticator of {@link
 * FrontEndContext#authenticators()} in order and stop at the first that is not {@link
 * AuthResult#ABSENT}: wrong credentials of any kind are a 401 even when others would be right.
 *
 * <p>Made by an {@link HttpAuthenticatorProvider} once, at startup; thread-safe; {@link
 * #authenticate} may block (a password hash, a storage read, fetching an issuer's keys), which
 * suits the server's virtual threads. It must not throw for bad input: a malformed credential is
 * {@link AuthResult.Rejected}.
 */
public interface HttpAuthenticator {
  /**
   * The handler's name as CouchDB's {@code /_session} reports it in {@code
   * info.authentication_handlers}: {@code default} (Basic), {@code cookie}, {@code jwt}, {@code
   * proxy}.
   */
  String name();

  AuthResult authenticate(RequestHeaders headers);

  /**
   * Whether a browser attaches these credentials to requests by itself (a cookie). A front-end
   * that has no defence against cross-site request forgery for them leaves such an authenticator
   * out; Kinto, which has no sessions, does.
   */
  default boolean ambient() {
    return false;
  }

  /** Basic credentials ({@code Authorization: Basic}) checked by {@code authenticator}. */
  static HttpAuthenticator basic(Authenticator authenticator) {
    return new BasicAuthenticator(authenticator);
  }

  /** The session cookie {@code cookieName} checked by {@code authenticator}'s session tokens. */
  static HttpAuthenticator cookie(Authenticator authenticator, String cookieName) {
    return new CookieAuthenticator(authenticator, cookieName);
  }

  /**
   * The first answer other than {@link AuthResult#ABSENT} of {@code chain}, in order, or {@link
   * AuthResult#ABSENT} when no authenticator found its credentials.
   */
  static AuthResult first(List<HttpAuthenticator> chain, RequestHeaders headers) {
    for (HttpAuthenticator authenticator : chain) {
      AuthResult result = authenticator.authenticate(headers);
      if (!(result instanceof AuthResult.Absent)) {
        return result;
      }
    }
    return AuthResult.ABSENT;
  }
}
