package io.polysync.protocol.spi;

import static java.util.Objects.requireNonNull;

/**
 * What an {@link HttpAuthenticator} made of a request: the credentials it handles were absent,
 * they named a user, or they were presented but are wrong (a 401, whatever other authenticators
 * would have said).
 */
public sealed interface AuthResult {
  /** No credentials of this kind: the next authenticator is asked. */
  AuthResult ABSENT = new Absent();

  static AuthResult authenticated(String handler, Principal principal) {
    return new Authenticated(handler, principal);
  }

  /**
   * @param detail why, for the server's log only; front-ends never send it, so a client learns
   *     nothing from a failure (not whether the user exists, the key is known or the token expired)
   */
  static AuthResult rejected(String handler, String detail) {
    return new Rejected(handler, detail);
  }

  /** No credentials this authenticator handles. */
  record Absent() implements AuthResult {}

  /** @param handler the name of the authenticator that accepted the credentials */
  record Authenticated(String handler, Principal principal) implements AuthResult {
    public Authenticated {
      requireNonNull(handler, "handler is null");
      requireNonNull(principal, "principal is null");
    }
  }

  /** Credentials were presented and are wrong, forged, expired or not for this server. */
  record Rejected(String handler, String detail) implements AuthResult {
    public Rejected {
      requireNonNull(handler, "handler is null");
      requireNonNull(detail, "detail is null");
    }
  }
}
