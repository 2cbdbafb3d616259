package io.polysync.protocol.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * Checks credentials for the front-ends, so every protocol shares one user store and one session
 * format. Thread-safe; calls may block (a slow password hash, a storage read), which suits the
 * server's virtual threads.
 */
public interface Authenticator {
  /** The user these credentials belong to, or empty when they are wrong. */
  Optional<Principal> authenticate(String name, String password);

  /**
   * A session token for {@code principal}, such as the value of CouchDB's {@code AuthSession}
   * cookie: opaque, URL-safe, verifiable by any process on the same storage.
   */
  String issueSession(Principal principal);

  /** The user of a token {@link #issueSession} made, or empty when it is forged or expired. */
  Optional<Principal> verifySession(String token);

  /** How long a session token stays valid. */
  Duration sessionLifetime();
}
