package io.polysync.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * How to open a storage: a URI whose scheme picks the provider ({@code sqlite:./data/polysync.db},
 * {@code postgresql://user@host:5432/db}) and free-form options (pool sizes, key prefixes).
 *
 * <p>The URI may hold a password; {@link #toString()} never shows it. Providers list the option
 * keys that are secrets in {@link StorageProvider#sensitiveOptions()}.
 */
public record StorageConfig(String uri, Map<String, String> options) {

  public StorageConfig {
    requireNonNull(uri, "uri is null");
    options = Map.copyOf(requireNonNull(options, "options is null"));
    if (uri.isBlank()) {
      throw new SyncException(StorageError.INVALID_CONFIGURATION, "storage URI is empty");
    }
  }

  public static StorageConfig of(String uri) {
    return new StorageConfig(uri, Map.of());
  }

  /** The URI scheme, lower-cased: the text before the first ':'. */
  public String scheme() {
    int colon = uri.indexOf(':');
    if (colon <= 0) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION,
          "storage URI has no scheme (expected e.g. sqlite:PATH or postgresql://host/db): "
              + redactedUri());
    }
    return uri.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
  }

  /** The URI with any password (user:password@ or password=...) replaced by ***. */
  public String redactedUri() {
    return uri.replaceAll("(//[^/:@]*:)[^/@]*@", "$1***@")
        .replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  @Override
  public String toString() {
    return "StorageConfig[" + redactedUri() + "]";
  }
}
