package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One entry of a {@code _bulk_get}: a document, optionally one revision of it.
 *
 * @param attsSince per-document {@code atts_since}, added to the read options' own
 */
public record BulkGetRequest(String id, Optional<String> rev, List<String> attsSince) {
  public BulkGetRequest {
    requireNonNull(id, "id is null");
    requireNonNull(rev, "rev is null");
    attsSince = List.copyOf(attsSince);
  }

  public static BulkGetRequest of(String id) {
    return new BulkGetRequest(id, Optional.empty(), List.of());
  }

  public static BulkGetRequest of(String id, String rev) {
    return new BulkGetRequest(id, Optional.of(rev), List.of());
  }
}
