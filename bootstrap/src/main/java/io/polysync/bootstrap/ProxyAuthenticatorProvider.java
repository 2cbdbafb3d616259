package io.polysync.bootstrap;

import io.polysync.protocol.spi.AuthenticatorContext;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.HttpAuthenticatorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CouchDB-style proxy authentication ({@link ProxyAuthenticator}), on when {@code
 * auth.proxy.secret} is set. Settings: {@code auth.proxy.secret}, {@code
 * auth.proxy.hash_algorithms} ({@code sha256,sha1}), {@code auth.proxy.username_header}, {@code
 * auth.proxy.roles_header}, {@code auth.proxy.token_header} (CouchDB's {@code X-Auth-CouchDB-*}),
 * and {@code auth.proxy.allow_unsigned} (false; true without a secret trusts the headers alone:
 * only for a server that nothing but the proxy can reach).
 */
public final class ProxyAuthenticatorProvider implements HttpAuthenticatorProvider {
  private static final System.Logger LOG = System.getLogger(ProxyAuthenticatorProvider.class.getName());

  @Override
  public String name() {
    return ProxyAuthenticator.NAME;
  }

  @Override
  public int order() {
    return 100;
  }

  @Override
  public Optional<HttpAuthenticator> create(AuthenticatorContext context) {
    Optional<String> secret = context.setting("auth.proxy.secret");
    boolean unsigned = context.flag("auth.proxy.allow_unsigned", false);
    if (secret.isEmpty() && !unsigned) {
      return Optional.empty();
    }
    if (secret.isPresent() && unsigned) {
      throw new IllegalArgumentException("settings auth.proxy.secret and auth.proxy.allow_unsigned=true"
          + " contradict each other: with a secret every request must carry the token");
    }
    if (secret.isPresent() && secret.get().length() < 16) {
      throw new IllegalArgumentException("setting auth.proxy.secret must be at least 16 characters");
    }
    List<String> macs = new ArrayList<>();
    for (String algorithm : context.setting("auth.proxy.hash_algorithms").orElse("sha256,sha1").split(",")) {
      if (!algorithm.isBlank()) {
        macs.add(ProxyAuthenticator.macName(algorithm));
      }
    }
    if (macs.isEmpty()) {
      throw new IllegalArgumentException("setting auth.proxy.hash_algorithms names no algorithm");
    }
    if (unsigned) {
      LOG.log(System.Logger.Level.WARNING, "proxy authentication WITHOUT a secret (auth.proxy.allow_unsigned):"
          + " anyone who can reach this server can act as any user, admins included");
    }
    return Optional.of(new ProxyAuthenticator(
        context.setting("auth.proxy.username_header").orElse("X-Auth-CouchDB-UserName"),
        context.setting("auth.proxy.roles_header").orElse("X-Auth-CouchDB-Roles"),
        context.setting("auth.proxy.token_header").orElse("X-Auth-CouchDB-Token"),
        secret.map(s -> s.getBytes(StandardCharsets.UTF_8)),
        macs));
  }
}
