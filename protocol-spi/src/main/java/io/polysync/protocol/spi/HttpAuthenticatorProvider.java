package io.polysync.protocol.spi;

import java.util.Optional;

/**
 * Makes an {@link HttpAuthenticator} from the server's settings, found with {@link
 * java.util.ServiceLoader}: implementations have a public no-argument constructor and are listed
 * in {@code META-INF/services/io.polysync.protocol.spi.HttpAuthenticatorProvider}.
 *
 * <p>The server calls {@link #create} once per provider at startup, on one thread, before the
 * first request; the authenticators it returns are asked in ascending {@link #order()}. A
 * provider is switched on by its own settings ({@code auth.<name>.*}): one whose settings are
 * absent returns empty.
 */
public interface HttpAuthenticatorProvider {
  /** The authenticator's name ({@link HttpAuthenticator#name()}); unique among providers. */
  String name();

  /**
   * Where the authenticator stands in the chain, lower first. The built-in ones: {@code proxy}
   * 100, {@code jwt} 200, {@code default} (Basic) 300, {@code cookie} 400, so explicit credentials
   * win over a cookie the browser happened to send.
   */
  default int order() {
    return 500;
  }

  /**
   * The authenticator these settings ask for, or empty when they leave it off.
   *
   * @throws IllegalArgumentException when the settings are incomplete or invalid; the server then
   *     refuses to start with the message
   */
  Optional<HttpAuthenticator> create(AuthenticatorContext context);
}
