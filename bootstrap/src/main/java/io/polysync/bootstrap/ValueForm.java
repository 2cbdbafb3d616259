package io.polysync.bootstrap;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a configuration value must look like, and its normal form: the text the server and the
 * front-ends read. Booleans are normalised to {@code true}/{@code false} because the front-ends
 * parse them with {@link Boolean#parseBoolean}, which would read {@code on} as false.
 */
enum ValueForm {
  TEXT("text") {
    @Override
    Optional<String> normalize(String raw) {
      return Optional.of(raw);
    }
  },
  HOST("a host name or IP address") {
    @Override
    Optional<String> normalize(String raw) {
      return raw.chars().anyMatch(Character::isWhitespace) ? Optional.empty() : Optional.of(raw);
    }
  },
  PORT("a port number 0-65535") {
    @Override
    Optional<String> normalize(String raw) {
      return wholeNumber(raw).filter(n -> n <= 65535).map(Object::toString);
    }
  },
  PATH("a file or directory path") {
    @Override
    Optional<String> normalize(String raw) {
      try {
        java.nio.file.Path.of(raw);
        return Optional.of(raw);
      } catch (java.nio.file.InvalidPathException e) {
        return Optional.empty();
      }
    }
  },
  BOOLEAN("true or false (on/off and yes/no also work)") {
    @Override
    Optional<String> normalize(String raw) {
      return switch (raw.toLowerCase(Locale.ROOT)) {
        case "true", "on", "yes" -> Optional.of("true");
        case "false", "off", "no" -> Optional.of("false");
        default -> Optional.empty();
      };
    }
  },
  COUNT("a whole number, 0 or more") {
    @Override
    Optional<String> normalize(String raw) {
      return wholeNumber(raw).filter(n -> n <= Integer.MAX_VALUE).map(Object::toString);
    }
  },
  BYTES("a size in bytes, a whole number of 1 or more") {
    @Override
    Optional<String> normalize(String raw) {
      return wholeNumber(raw).filter(n -> n >= 1).map(Object::toString);
    }
  },
  LIST("a comma-separated list") {
    @Override
    Optional<String> normalize(String raw) {
      return Optional.of(raw);
    }
  },
  URL("an absolute http:// or https:// URL") {
    @Override
    Optional<String> normalize(String raw) {
      try {
        java.net.URI uri = new java.net.URI(raw);
        String scheme = uri.getScheme();
        return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
            && uri.getHost() != null ? Optional.of(raw) : Optional.empty();
      } catch (java.net.URISyntaxException e) {
        return Optional.empty();
      }
    }
  },
  NAME_PASSWORD("NAME:PASSWORD") {
    @Override
    Optional<String> normalize(String raw) {
      int colon = raw.indexOf(':');
      return colon > 0 && colon < raw.length() - 1 ? Optional.of(raw) : Optional.empty();
    }
  },
  KEYS("base64 AES-256 keys (32 bytes each), comma-separated") {
    @Override
    Optional<String> normalize(String raw) {
      String[] parts = raw.split(",");
      for (String part : parts) {
        try {
          if (java.util.Base64.getDecoder().decode(part.strip()).length != 32) {
            return Optional.empty();
          }
        } catch (IllegalArgumentException e) {
          return Optional.empty();
        }
      }
      return parts.length == 0 ? Optional.empty() : Optional.of(raw.strip());
    }
  },
  STORAGE_URI("a storage URI such as sqlite:PATH or postgresql://user:password@host/db") {
    @Override
    Optional<String> normalize(String raw) {
      return SCHEME.matcher(raw).lookingAt() ? Optional.of(raw) : Optional.empty();
    }
  };

  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:");

  private final String expected;

  ValueForm(String expected) {
    this.expected = expected;
  }

  /** What a valid value looks like, as error messages and docs/configuration.md say it. */
  String expected() {
    return expected;
  }

  /** The value in its normal form, or empty when it does not have this form. */
  abstract Optional<String> normalize(String raw);

  private static Optional<Long> wholeNumber(String raw) {
    if (raw.isEmpty() || raw.length() > 18 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(raw));
  }
}
