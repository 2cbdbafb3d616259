package io.polysync.spi;

import java.util.Optional;

/**
 * A range of document ids, in code point order, for listings such as CouchDB's {@code _all_docs}.
 *
 * @param start the first id (inclusive), or empty for the beginning (the end when descending)
 * @param end the last id, or empty for no bound
 * @param inclusiveEnd whether {@code end} itself is included
 * @param descending walk from high ids to low; {@code start} is then the high bound
 * @param includeDeleted include documents whose winner is deleted
 * @param limit the most documents to return (positive)
 */
public record KeyRange(
    Optional<String> start,
    Optional<String> end,
    boolean inclusiveEnd,
    boolean descending,
    boolean includeDeleted,
    int limit) {

  public KeyRange {
    java.util.Objects.requireNonNull(start, "start is null");
    java.util.Objects.requireNonNull(end, "end is null");
    if (limit <= 0) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
    }
  }

  /** Every live document, ascending, up to {@code limit}. */
  public static KeyRange all(int limit) {
    return new KeyRange(Optional.empty(), Optional.empty(), true, false, false, limit);
  }
}
