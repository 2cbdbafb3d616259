package io.polysync.spi;

/**
 * A slice of the changes feed: documents whose latest write has {@code since < seq < until}.
 *
 * @param since the exclusive lower bound, 0 for the beginning
 * @param until the exclusive upper bound, {@link Long#MAX_VALUE} for none
 * @param descending newest first instead of oldest first
 * @param limit the most documents to return (positive)
 */
public record ChangesRange(long since, long until, boolean descending, int limit) {

  public ChangesRange {
    if (since < 0) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "since must not be negative: " + since);
    }
    if (until <= since) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "until must be greater than since");
    }
    if (limit <= 0) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
    }
  }

  public static ChangesRange after(long since, int limit) {
    return new ChangesRange(since, Long.MAX_VALUE, false, limit);
  }
}
