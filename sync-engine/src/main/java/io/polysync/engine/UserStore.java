package io.polysync.engine;

import java.util.List;
import java.util.Optional;

/**
 * The engine's user accounts, kept through the storage SPI in the system namespace {@code _users}
 * (hidden from database listings), so every server process on one storage sees the same users.
 *
 * <p>Passwords are hashed with PBKDF2-HMAC-SHA-256 from the JDK: a slow, salted key derivation
 * that needs no native or third-party library (bcrypt, scrypt and Argon2 would), which keeps the
 * engine's dependencies at the storage SPI and Jackson. The stored form names the algorithm and
 * iteration count ({@code pbkdf2-sha256$ITERATIONS$SALT$HASH}) so the cost can be raised later.
 *
 * <p>Names are 1 to 128 characters without {@code :} (Basic authentication splits on it) and do
 * not start with {@code _}. Roles are non-empty; {@value UserContext#SERVER_ADMIN} is the only role
 * starting with {@code _} and names starting with {@code system.} are reserved.
 *
 * <p>Thread-safe. Calls may block on the slow hash and on storage.
 */
public interface UserStore {
  /** Failed checks in a row after which a name is refused for a while. */
  int MAX_FAILURES = 5;
  int LOCKOUT_SECONDS = 60;

  /**
   * The user whose password this is. Wrong credentials and throttled names both answer empty: after
   * {@link #MAX_FAILURES} failed checks in a row a name is refused for {@link #LOCKOUT_SECONDS}
   * seconds, whatever the password. The count is kept in memory per process (a restart or another
   * process starts from zero) and lets anyone lock a name out for a while, the price of slowing
   * guessing without a store round-trip per attempt.
   */
  Optional<User> authenticate(String name, String password);

  Optional<User> get(String name);

  /** Users in name order strictly after {@code afterName} ("" for the start), at most {@code limit}. */
  List<User> list(String afterName, int limit);

  /** @throws io.polysync.spi.SyncException {@link EngineError#USER_EXISTS}, {@link EngineError#INVALID_USER} */
  User create(String name, String password, List<String> roles);

  /**
   * Creates a user from a password hash in this store's format, for moving accounts from an older
   * store; the hash is checked for shape, not re-hashed.
   */
  User createHashed(String name, String passwordHash, List<String> roles);

  /** @throws io.polysync.spi.SyncException {@link EngineError#USER_NOT_FOUND}, {@link EngineError#INVALID_USER} */
  User setPassword(String name, String password);

  /** @throws io.polysync.spi.SyncException {@link EngineError#USER_NOT_FOUND}, {@link EngineError#INVALID_USER} */
  User setRoles(String name, List<String> roles);

  /** @throws io.polysync.spi.SyncException {@link EngineError#USER_NOT_FOUND} */
  void delete(String name);
}
