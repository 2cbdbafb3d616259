package io.polysync.spi;

import static java.util.Objects.requireNonNull;

/** The outcome of one {@link WriteItem}, in the order of the batch. */
public sealed interface WriteResult {
  String id();

  /** The item was applied; it received this sequence number and timestamp. */
  record Written(String id, long seq, long timestamp) implements WriteResult {
    public Written {
      requireNonNull(id, "id is null");
      if (seq <= 0 || timestamp <= 0) {
        throw new IllegalArgumentException("seq and timestamp must be positive");
      }
    }
  }

  /**
   * The compare-and-set lost: the stored sequence is {@code currentSeq} (0 if the document does
   * not exist). Nothing was changed.
   */
  record Conflict(String id, long currentSeq) implements WriteResult {
    public Conflict {
      requireNonNull(id, "id is null");
    }
  }

  /** The item was refused (for example {@link StorageError#VALUE_TOO_LARGE}); nothing changed. */
  record Rejected(String id, SyncException error) implements WriteResult {
    public Rejected {
      requireNonNull(id, "id is null");
      requireNonNull(error, "error is null");
    }
  }
}
