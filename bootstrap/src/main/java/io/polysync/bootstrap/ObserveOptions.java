package io.polysync.bootstrap;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Metrics, health and access-log settings of {@code polysync serve}.
 *
 * @param metrics who may read {@code GET /metrics}
 * @param accessLog one log line per request (logger {@code io.polysync.access})
 * @param readinessTimeout how long {@code GET /health/ready} waits for the storage
 */
record ObserveOptions(MetricsAccess metrics, boolean accessLog, Duration readinessTimeout) {
  /** The storage round trip of a readiness check: a health checker usually gives up at 5 s. */
  static final Duration DEFAULT_READINESS_TIMEOUT = Duration.ofSeconds(2);

  ObserveOptions {
    requireNonNull(metrics, "metrics is null");
    requireNonNull(readinessTimeout, "readinessTimeout is null");
    if (readinessTimeout.isNegative() || readinessTimeout.isZero()) {
      throw new IllegalArgumentException("readinessTimeout must be positive");
    }
  }

  /** Metrics for loopback clients only, no access log. */
  static ObserveOptions defaults() {
    return new ObserveOptions(MetricsAccess.LOOPBACK, false, DEFAULT_READINESS_TIMEOUT);
  }

  /** Who may read {@code GET /metrics}. */
  enum MetricsAccess {
    /** Clients connecting from a loopback address (127.0.0.0/8, ::1); the default. */
    LOOPBACK,
    /** Server admins, with Basic credentials, from anywhere. */
    ADMIN,
    /** Anyone who reaches the port. */
    OPEN,
    /** Not served at all (the path is left to the CouchDB front-end). */
    OFF;

    /** The value of {@code --metrics}, or empty when it is none of {@code loopback|admin|open|off}. */
    static Optional<MetricsAccess> parse(String value) {
      try {
        return Optional.of(valueOf(value.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
  }
}
