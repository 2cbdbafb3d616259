package io.polysync.adapter.redis;

import io.lettuce.core.RedisURI;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A storage URI and its options, parsed: what Lettuce connects to, the key prefix, and a display
 * form for messages that never holds the password.
 *
 * <p>The URI is Lettuce's {@code redis://[[user]:password@]host[:port][/database][?options]} or
 * {@code rediss://...} (TLS). Polysync reads {@code prefix} and {@code password} from the query and
 * from {@link StorageConfig#options()} (options win) and passes every other query option ({@code
 * timeout}, {@code clientName}, {@code verifyPeer}, ...) to Lettuce.
 *
 * @param uri what Lettuce connects to, with credentials
 * @param prefix the string every key and channel of this deployment starts with
 * @param password the password, or empty; kept only to scrub it from driver messages
 * @param display the URI for logs and messages: no password, no query
 * @param inlineBytes how many state bytes one write script takes as arguments before the rest is
 *     staged in temporary keys
 */
record RedisSettings(
    RedisURI uri, String prefix, Optional<String> password, String display, long inlineBytes) {

  static final String DEFAULT_PREFIX = "polysync:";
  static final long DEFAULT_INLINE_BYTES = 16L * 1024 * 1024;
  static final String PREFIX = "prefix";
  static final String PASSWORD = "password";
  static final String INLINE_BYTES = "inline.bytes";

  static RedisSettings parse(StorageConfig config) {
    String raw = config.uri();
    String scheme = config.scheme();
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw invalid("the Redis adapter handles redis:// and rediss:// URIs, not " + scheme + ":", null);
    }
    if (!raw.regionMatches(true, 0, scheme + "://", 0, scheme.length() + 3)) {
      throw invalid("a Redis URI is " + scheme + "://[[user]:password@]host[:port][/database]", null);
    }
    String rest = raw.substring(scheme.length() + 3);
    int q = rest.indexOf('?');
    String query = q < 0 ? "" : rest.substring(q + 1);
    rest = q < 0 ? rest : rest.substring(0, q);
    int at = rest.lastIndexOf('@');
    String userInfo = at < 0 ? null : rest.substring(0, at);
    String hostPart = at < 0 ? rest : rest.substring(at + 1);

    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        // Lettuce reads redis://secret@host as a password, but StorageConfig#redactedUri only hides
        // user:password@, so the secret would show wherever the configuration is printed.
        throw invalid("write the password after a colon (" + scheme + "://:PASSWORD@host or "
            + scheme + "://USER:PASSWORD@host), never as " + scheme + "://PASSWORD@host", null);
      }
      String u = decode(userInfo.substring(0, colon));
      user = u.isEmpty() ? Optional.empty() : Optional.of(u);
      String p = decode(userInfo.substring(colon + 1));
      password = p.isEmpty() ? Optional.empty() : Optional.of(p);
    }

    Map<String, String> ours = new LinkedHashMap<>();
    StringBuilder passOn = new StringBuilder();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (key.equals(PREFIX) || key.equals(PASSWORD) || key.equals(INLINE_BYTES)) {
        ours.put(key, value);
      } else {
        passOn.append(passOn.isEmpty() ? "?" : "&").append(pair);
      }
    }
    ours.putAll(config.options());
    if (ours.containsKey(PASSWORD)) {
      String p = ours.get(PASSWORD);
      password = p.isEmpty() ? Optional.empty() : Optional.of(p);
    }
    String prefix = ours.getOrDefault(PREFIX, DEFAULT_PREFIX);
    long inlineBytes = DEFAULT_INLINE_BYTES;
    if (ours.containsKey(INLINE_BYTES)) {
      try {
        inlineBytes = Long.parseLong(ours.get(INLINE_BYTES));
      } catch (NumberFormatException e) {
        inlineBytes = -1;
      }
      if (inlineBytes < 0) {
        throw invalid(INLINE_BYTES + " must be a number of bytes, not " + ours.get(INLINE_BYTES), null);
      }
    }

    // Lettuce gets the URI without credentials and without our options; credentials go in apart.
    String forLettuce = scheme + "://" + hostPart + passOn;
    RedisURI parsed;
    try {
      parsed = RedisURI.create(forLettuce);
    } catch (RuntimeException e) {
      throw invalid("malformed Redis URI " + display(scheme, user, hostPart)
          + ": " + scrub(String.valueOf(e.getMessage()), password), null);
    }
    if (parsed.getSocket() != null || parsed.getHost() == null || parsed.getHost().isEmpty()) {
      throw invalid("a Redis URI names a host: " + display(scheme, user, hostPart), null);
    }
    RedisURI.Builder builder = RedisURI.builder(parsed);
    if (password.isPresent()) {
      if (user.isPresent()) {
        builder.withAuthentication(user.get(), password.get());
      } else {
        builder.withPassword(password.get());
      }
    } else if (user.isPresent()) {
      throw invalid("a Redis user needs a password: " + display(scheme, user, hostPart), null);
    }
    RedisURI uri = builder.build();
    String display =
        scheme + "://" + user.map(u -> u + "@").orElse("") + uri.getHost() + ":" + uri.getPort()
            + "/" + uri.getDatabase() + (prefix.equals(DEFAULT_PREFIX) ? "" : " (prefix " + prefix + ")");
    return new RedisSettings(uri, prefix, password, display, inlineBytes);
  }

  /** {@code message} with every occurrence of the password replaced by {@code ***}. */
  String scrub(String message) {
    return scrub(message, password);
  }

  static String scrub(String message, Optional<String> password) {
    if (message == null) {
      return "";
    }
    return password.isEmpty() ? message : message.replace(password.get(), "***");
  }

  private static String display(String scheme, Optional<String> user, String hostPart) {
    return scheme + "://" + user.map(u -> u + "@").orElse("") + hostPart;
  }

  private static SyncException invalid(String message, Throwable cause) {
    return cause == null
        ? new SyncException(StorageError.INVALID_CONFIGURATION, message)
        : new SyncException(StorageError.INVALID_CONFIGURATION, message, cause);
  }

  /** Percent-decoding as in URIs ({@code +} stays a plus: query strings here are not forms). */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); ) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 3;
      } else {
        int cp = s.codePointAt(i);
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i += Character.charCount(cp);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }

  /** The command timeout Lettuce applies, from the URI's {@code timeout} option (60 s default). */
  Duration timeout() {
    return uri.getTimeout();
  }

  @Override
  public String toString() {
    return "RedisSettings[" + display + "]";
  }
}
