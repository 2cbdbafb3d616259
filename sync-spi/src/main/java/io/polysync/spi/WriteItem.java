package io.polysync.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One conditional document write: replace the stored state whose sequence is {@code expectedSeq}
 * (0: the document must not exist yet) with a new state.
 *
 * @param id the document id
 * @param winningRev the winning revision of the new state
 * @param deleted whether that winning revision is a deletion
 * @param state the engine's encoded new state (not copied; must not be modified afterwards)
 * @param expectedSeq the {@link StoredDocument#seq()} the engine read, or 0 for "absent"
 * @param queryBody the winning body in clear, for adapters that push queries down; empty when the
 *     engine seals bodies or the winner is deleted. Adapters without {@link
 *     Capability#QUERY_PUSHDOWN} ignore it.
 */
public record WriteItem(
    String id,
    String winningRev,
    boolean deleted,
    byte[] state,
    long expectedSeq,
    Optional<JsonValue.JsonObject> queryBody) {

  public WriteItem {
    Names.checkId(id);
    requireNonNull(winningRev, "winningRev is null");
    requireNonNull(state, "state is null");
    requireNonNull(queryBody, "queryBody is null");
    if (winningRev.isEmpty()) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "winningRev is empty");
    }
    if (expectedSeq < 0) {
      throw new SyncException(
          StorageError.INVALID_ARGUMENT, "expectedSeq must not be negative: " + expectedSeq);
    }
  }
}
