package io.polysync.bootstrap;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request ids: the client's {@code X-Request-Id} when it is a plausible id (a load balancer's or a
 * client's UUID, a trace id), else a new one; and the id of the request the current thread
 * serves, for log lines.
 *
 * <p>Helidon runs a request's filters and handler on one virtual thread, so a thread-local holds
 * the id from the filter to every log line written while the request is served.
 */
final class RequestIds {
  static final String HEADER = "X-Request-Id";
  /** Longer ids are replaced, not cut: a cut id would no longer match the caller's logs. */
  static final int MAX_LENGTH = 128;
  /**
   * What an id may hold: letters, digits and {@code - _ . : + / = @}, enough for UUIDs, W3C trace
   * ids and base64 ids; nothing that could break a log line or a JSON string.
   */
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:+/=@-]{1," + MAX_LENGTH + "}");
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private RequestIds() {}

  /** The id for a request that came with {@code incoming} (absent, blank, or anything a client sent). */
  static String accept(Optional<String> incoming) {
    return incoming.map(String::strip).filter(id -> VALID.matcher(id).matches()).orElseGet(RequestIds::generate);
  }

  /** 32 hex digits (128 random bits): unique enough, and cheap (no shared secure random). */
  static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
  }

  /** The id of the request this thread serves, if it serves one. */
  static Optional<String> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  static void set(String id) {
    CURRENT.set(id);
  }

  static void clear() {
    CURRENT.remove();
  }
}
