package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A stored user account, without its password hash (which never leaves the {@link UserStore}).
 *
 * @param created when the account was created, epoch milliseconds
 * @param updated when the account last changed, epoch milliseconds
 * @param version increases with every change; a session bound to an older version is over
 */
public record User(String name, List<String> roles, long created, long updated, long version) {
  public User {
    requireNonNull(name, "name is null");
    roles = List.copyOf(roles);
  }

  public UserContext context() {
    return UserContext.of(name, roles);
  }
}
