package io.polysync.protocol.spi;

import static java.util.Objects.requireNonNull;

import io.polysync.engine.UserContext;
import java.util.List;

/**
 * An authenticated user.
 *
 * @param roles CouchDB-style roles; {@code _admin} for the server administrator
 */
public record Principal(String name, List<String> roles) {
  /** The role of the server administrator, as CouchDB names it. */
  public static final String ADMIN_ROLE = UserContext.SERVER_ADMIN;

  public Principal {
    requireNonNull(name, "name is null");
    roles = List.copyOf(roles);
  }

  public boolean isAdmin() {
    return roles.contains(ADMIN_ROLE);
  }

  /** This user as the engine's access checks see it. */
  public UserContext context() {
    return UserContext.of(name, roles);
  }
}
