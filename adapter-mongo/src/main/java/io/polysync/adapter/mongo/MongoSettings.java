package io.polysync.adapter.mongo;

import com.mongodb.ConnectionString;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A storage configuration read once: the driver's connection string (with the adapter's own
 * {@code polysync.*} query parameters taken out) and the adapter's options.
 *
 * <p>Adapter options come from {@link StorageConfig#options()} and from URI query parameters named
 * {@code polysync.KEY} (options win), so that a bare {@code --storage} URI can carry them too. The
 * driver never sees them: it warns about parameters it does not know.
 *
 * @param connection the driver's parsed URI, without the adapter's parameters
 * @param database the database named in the URI's path
 * @param redactedUri the URI as it may appear in logs and messages (no password)
 * @param password the password given in the URI, or empty; only to scrub it from messages
 */
record MongoSettings(
    ConnectionString connection,
    String database,
    String redactedUri,
    String password,
    WritePath writePath,
    Signals signals,
    Duration leaseTimeout,
    Duration pollInterval) {

  static final Set<String> SCHEMES = Set.of("mongodb", "mongodb+srv");
  static final String PREFIX = "polysync.";

  /** How document writes are made atomic. */
  enum WritePath {
    /** Multi-document transactions where the server has them, the write lease elsewhere. */
    AUTO,
    /** Multi-document transactions; opening fails where the server has none. */
    TRANSACTIONS,
    /** The per-namespace write lease, even where transactions exist. */
    LEASE
  }

  /** Where signals of other processes' commits come from. */
  enum Signals {
    /** Change streams where the server has them, polling elsewhere. */
    AUTO,
    /** Change streams; opening fails where the server has none. */
    CHANGE_STREAMS,
    /** Polling the namespaces' sequence numbers. */
    POLLING
  }

  static MongoSettings parse(StorageConfig config) {
    String uri = config.uri();
    String redacted = redact(uri);
    String scheme = config.scheme();
    if (!SCHEMES.contains(scheme)) {
      throw invalid("the MongoDB adapter handles mongodb:// and mongodb+srv:// URIs, not " + redacted);
    }
    Map<String, String> options = new LinkedHashMap<>();
    String driverUri = takeAdapterParameters(uri, options);
    options.putAll(config.options());

    ConnectionString connection;
    try {
      connection = new ConnectionString(driverUri);
    } catch (RuntimeException e) {
      // The driver's message may quote the URI; scrub it before it reaches a log.
      throw invalid(
          "malformed MongoDB URI " + redacted + ": " + scrub(e.getMessage(), rawPassword(uri)));
    }
    String database = connection.getDatabase();
    if (database == null || database.isEmpty()) {
      throw invalid(
          "the MongoDB URI must name a database in its path, as in mongodb://host:27017/polysync: "
              + redacted);
    }
    char[] pw = connection.getPassword();
    String password = pw == null ? "" : new String(pw);
    return new MongoSettings(
        connection,
        database,
        redacted,
        password,
        choice(options, "writePath", WritePath.class, WritePath.AUTO),
        choice(options, "signals", Signals.class, Signals.AUTO),
        duration(options, "leaseTimeout", Duration.ofSeconds(10), Duration.ofMillis(200)),
        duration(options, "pollInterval", Duration.ofMillis(100), Duration.ofMillis(10)));
  }

  /** Removes {@code polysync.*} query parameters from {@code uri}, putting them in {@code out}. */
  static String takeAdapterParameters(String uri, Map<String, String> out) {
    int q = uri.indexOf('?');
    if (q < 0) {
      return uri;
    }
    StringBuilder kept = new StringBuilder();
    for (String pair : uri.substring(q + 1).split("[&;]")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.startsWith(PREFIX)) {
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        out.put(key.substring(PREFIX.length()), java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8));
      } else {
        kept.append(kept.isEmpty() ? "" : "&").append(pair);
      }
    }
    return kept.isEmpty() ? uri.substring(0, q) : uri.substring(0, q + 1) + kept;
  }

  /**
   * The URI with its password replaced by {@code ***}: the user information is everything between
   * {@code //} and the last {@code @} before the path, so a password holding {@code /}, {@code :}
   * or {@code @} (which the driver wants percent-encoded, but people type) is hidden whole.
   * {@code password=} query parameters are hidden too.
   */
  static String redact(String uri) {
    String out = uri;
    int start = out.indexOf("//");
    if (start >= 0) {
      start += 2;
      int query = out.indexOf('?', start);
      int limit = query < 0 ? out.length() : query;
      int at = out.lastIndexOf('@', limit - 1);
      if (at >= start) {
        int colon = out.indexOf(':', start);
        if (colon >= 0 && colon < at) {
          out = out.substring(0, colon + 1) + "***" + out.substring(at);
        }
      }
    }
    return out.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** The password of {@code uri} as written (percent-encoded or not), or empty. */
  static String rawPassword(String uri) {
    int start = uri.indexOf("//");
    if (start < 0) {
      return "";
    }
    start += 2;
    int query = uri.indexOf('?', start);
    int limit = query < 0 ? uri.length() : query;
    int at = uri.lastIndexOf('@', limit - 1);
    if (at < start) {
      return "";
    }
    int colon = uri.indexOf(':', start);
    return colon >= 0 && colon < at ? uri.substring(colon + 1, at) : "";
  }

  /** {@code message} with every occurrence of {@code secret} replaced by {@code ***}. */
  static String scrub(String message, String secret) {
    if (message == null) {
      return "";
    }
    return secret == null || secret.isEmpty() ? message : message.replace(secret, "***");
  }

  /** {@code message} without this configuration's password. */
  String scrub(String message) {
    String once = scrub(message, password);
    return scrub(once, rawPassword(connection.getConnectionString()));
  }

  @Override
  public String toString() {
    return "MongoSettings[" + redactedUri + ", writePath=" + writePath + ", signals=" + signals
        + ", leaseTimeout=" + leaseTimeout + ", pollInterval=" + pollInterval + "]";
  }

  private static <E extends Enum<E>> E choice(
      Map<String, String> options, String key, Class<E> type, E fallback) {
    String value = options.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    String normalized =
        value.trim().replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_').toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(normalized)) {
        return e;
      }
    }
    throw invalid(
        "option " + key + " must be one of " + java.util.Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList()
            + ", not '" + value + "'");
  }

  private static Duration duration(
      Map<String, String> options, String key, Duration fallback, Duration minimum) {
    String value = options.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    long millis;
    try {
      millis = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw invalid("option " + key + " must be a number of milliseconds, not '" + value + "'");
    }
    if (millis < minimum.toMillis()) {
      throw invalid("option " + key + " must be at least " + minimum.toMillis() + " ms: " + millis);
    }
    return Duration.ofMillis(millis);
  }

  private static SyncException invalid(String message) {
    return new SyncException(StorageError.INVALID_CONFIGURATION, message);
  }
}
