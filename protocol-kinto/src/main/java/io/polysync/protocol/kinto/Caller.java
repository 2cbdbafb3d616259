package io.polysync.protocol.kinto;

import io.polysync.engine.UserContext;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Who is asking, with Kinto's principals: {@code account:<name>} for a user, {@value
 * UserContext#AUTHENTICATED} and {@value UserContext#EVERYONE}, plus the group URIs the user is a
 * member of.
 *
 * @param account the account name, or empty for an anonymous caller
 * @param admin whether this is a server administrator (may do everything)
 */
record Caller(Optional<String> account, boolean admin, Set<String> principals) {
  static final String ACCOUNT_PREFIX = "account:";

  Caller {
    principals = Set.copyOf(principals);
  }

  static Caller anonymous() {
    return new Caller(Optional.empty(), false, Set.of(UserContext.EVERYONE));
  }

  static Caller user(String name, boolean admin, Set<String> groups) {
    Set<String> all = new LinkedHashSet<>();
    all.add(ACCOUNT_PREFIX + name);
    all.addAll(groups);
    all.add(UserContext.AUTHENTICATED);
    all.add(UserContext.EVERYONE);
    return new Caller(Optional.of(name), admin, all);
  }

  boolean authenticated() {
    return account.isPresent();
  }

  /** The user id as Kinto writes it ({@code account:alice}), empty for an anonymous caller. */
  Optional<String> userId() {
    return account.map(a -> ACCOUNT_PREFIX + a);
  }
}
