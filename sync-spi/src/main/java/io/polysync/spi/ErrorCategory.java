package io.polysync.spi;

/**
 * The broad kind of a failure. Each protocol front-end maps categories (and, where it needs to,
 * individual codes) to its own wire format, so a new code never needs a front-end change to get a
 * sensible status.
 */
public enum ErrorCategory {
  /** The named object does not exist. */
  NOT_FOUND,
  /** The request lost a race or contradicts the current state (compare-and-set failed, exists). */
  CONFLICT,
  /** The request itself is malformed or out of bounds; retrying it unchanged fails again. */
  INVALID_REQUEST,
  /** The backend does not offer this capability; see {@link Capability}. */
  UNSUPPORTED,
  /** The backend cannot be reached or is overloaded; the same request may succeed later. */
  UNAVAILABLE,
  /** A bug or a corrupt store; never the caller's fault. */
  INTERNAL
}
