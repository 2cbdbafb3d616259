package io.polysync.protocol.spi;

import java.util.List;
import java.util.Optional;

/**
 * The headers of one HTTP request as an authenticator reads them. Each front-end adapts its own
 * representation (a Helidon request, a Kinto batch sub-request) to this, so an authenticator
 * works for every protocol.
 */
@FunctionalInterface
public interface RequestHeaders {
  /** Every value of the header {@code name} (matched without regard to case), in order; empty when absent. */
  List<String> all(String name);

  /** The first value of {@code name}, when present. */
  default Optional<String> first(String name) {
    List<String> values = all(name);
    return values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
  }
}
