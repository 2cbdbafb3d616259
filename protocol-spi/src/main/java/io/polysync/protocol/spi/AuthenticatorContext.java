package io.polysync.protocol.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * What an {@link HttpAuthenticatorProvider} is given.
 *
 * @param users the server's user store and session tokens
 * @param settings the server's settings by dotted key; an authenticator reads {@code auth.<name>.*}
 */
public record AuthenticatorContext(Authenticator users, Map<String, String> settings) {
  public AuthenticatorContext {
    requireNonNull(users, "users is null");
    settings = Map.copyOf(settings);
  }

  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key)).map(String::trim).filter(s -> !s.isEmpty());
  }

  /** A true/false setting, or {@code fallback} when absent. */
  public boolean flag(String key, boolean fallback) {
    Optional<String> value = setting(key);
    if (value.isEmpty()) {
      return fallback;
    }
    return switch (value.get().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("setting " + key + " must be true or false: " + value.get());
    };
  }

  /** A numeric setting, or {@code fallback} when absent. */
  public long number(String key, long fallback) {
    Optional<String> value = setting(key);
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.get());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting " + key + " is not a number: " + value.get(), e);
    }
  }
}
