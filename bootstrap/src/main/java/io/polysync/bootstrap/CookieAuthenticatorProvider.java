package io.polysync.bootstrap;

import io.polysync.protocol.spi.AuthenticatorContext;
import io.polysync.protocol.spi.FrontEndContext;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.HttpAuthenticatorProvider;
import java.util.Optional;

/**
 * CouchDB's {@code AuthSession} cookie, as {@code POST /_session} issues it: on unless {@code
 * auth.cookie.enabled=false}. Kinto leaves it out (no sessions there).
 */
public final class CookieAuthenticatorProvider implements HttpAuthenticatorProvider {
  @Override
  public String name() {
    return "cookie";
  }

  @Override
  public int order() {
    return 400;
  }

  @Override
  public Optional<HttpAuthenticator> create(AuthenticatorContext context) {
    return context.flag("auth.cookie.enabled", true)
        ? Optional.of(HttpAuthenticator.cookie(context.users(), FrontEndContext.SESSION_COOKIE))
        : Optional.empty();
  }
}
