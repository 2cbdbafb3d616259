package io.polysync.bootstrap;

import io.polysync.protocol.spi.AuthenticatorContext;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.HttpAuthenticatorProvider;
import java.util.Optional;

/**
 * Basic credentials against the user store, CouchDB's {@code default} handler: on unless {@code
 * auth.default.enabled=false}.
 */
public final class BasicAuthenticatorProvider implements HttpAuthenticatorProvider {
  @Override
  public String name() {
    return "default";
  }

  @Override
  public int order() {
    return 300;
  }

  @Override
  public Optional<HttpAuthenticator> create(AuthenticatorContext context) {
    return context.flag("auth.default.enabled", true)
        ? Optional.of(HttpAuthenticator.basic(context.users())) : Optional.empty();
  }
}
