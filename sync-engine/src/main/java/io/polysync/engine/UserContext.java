package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who is asking: an authenticated user with its roles, or nobody. The principals a permission can
 * name are the user's name, each of its roles, {@value #AUTHENTICATED} for any authenticated user
 * and {@value #EVERYONE} for anyone, so one security object serves CouchDB's {@code _security} and
 * Kinto-style principals alike.
 *
 * @param name the user's name, or the empty string for an anonymous caller
 * @param roles the user's roles; {@value #SERVER_ADMIN} makes a server administrator
 */
public record UserContext(String name, List<String> roles) {
  /** The role of a server administrator, as CouchDB names it. */
  public static final String SERVER_ADMIN = "_admin";
  public static final String AUTHENTICATED = "system.Authenticated";
  public static final String EVERYONE = "system.Everyone";
  private static final UserContext ANONYMOUS = new UserContext("", List.of());

  public UserContext {
    requireNonNull(name, "name is null");
    roles = List.copyOf(roles);
    if (name.isEmpty() && !roles.isEmpty()) {
      throw new IllegalArgumentException("an anonymous caller has no roles");
    }
  }

  public static UserContext anonymous() {
    return ANONYMOUS;
  }

  public static UserContext of(String name, List<String> roles) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a user has a name");
    }
    return new UserContext(name, roles);
  }

  public boolean authenticated() {
    return !name.isEmpty();
  }

  public Optional<String> userName() {
    return authenticated() ? Optional.of(name) : Optional.empty();
  }

  public boolean isServerAdmin() {
    return roles.contains(SERVER_ADMIN);
  }

  /** The roles a security object's {@code roles} lists are matched against, system ones included. */
  public Set<String> principalRoles() {
    Set<String> out = new LinkedHashSet<>(roles);
    if (authenticated()) {
      out.add(AUTHENTICATED);
    }
    out.add(EVERYONE);
    return out;
  }
}
