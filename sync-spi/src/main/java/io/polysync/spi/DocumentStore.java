package io.polysync.spi;

import java.util.List;
import java.util.Optional;

/**
 * Replicated documents. Every method names its namespace and throws {@link
 * StorageError#NAMESPACE_NOT_FOUND} when it does not exist.
 *
 * <p>Thread-safe. The invariants the compliance kit proves:
 *
 * <ol>
 *   <li>The changes feed never skips a committed write: a reader that follows {@link #changes} from
 *       0 sees every document's final state, even with concurrent writers in several processes. A
 *       sequence number allocated before commit must never become visible after a higher one that
 *       a reader already passed (serialize writers per namespace, or expose only a stable
 *       watermark).
 *   <li>A compare-and-set that lost changes nothing; a batch is applied item by item with a result
 *       per item.
 *   <li>Sequence numbers and timestamps strictly increase within a namespace, across processes.
 *   <li>Nothing acknowledged is lost across a process kill and restart.
 *   <li>Bad input gets a typed error, never a corrupted store.
 * </ol>
 */
public interface DocumentStore {
  /** The stored document, deleted or not, or empty if the id was never written. */
  Optional<StoredDocument> get(String namespace, String id);

  /** The stored documents among {@code ids}, in the order of {@code ids}; unknown ids are skipped. */
  List<StoredDocument> getAll(String namespace, List<String> ids);

  /** Documents in id order within {@code range}. */
  List<StoredDocument> range(String namespace, KeyRange range);

  /**
   * Applies a batch of conditional writes, each item atomically: the item's compare-and-set, the
   * allocation of the namespace's next sequence number and of a timestamp greater than every
   * earlier one, and the document's replacement happen in one atomic step. Items are applied in
   * order and each gets a result, in order. Sequence numbers within a batch increase in item order;
   * they need not be consecutive (only unique and increasing), and {@link NamespaceInfo#lastSeq()}
   * is always the highest one assigned. Counters in {@link NamespaceInfo} change with the same step.
   * Signals {@link ChangeSignals} listeners after commit.
   *
   * <p>An item whose {@code state} exceeds {@link Capabilities#maxValueBytes()} gets {@link
   * WriteResult.Rejected} with {@link StorageError#VALUE_TOO_LARGE} and the other items proceed. The
   * limit applies to {@code state}; {@link WriteItem#queryBody()} is an index copy and does not count.
   *
   * @throws SyncException {@link StorageError#INVALID_BATCH} for an empty batch, one larger than
   *     {@link Capabilities#maxBatchSize()} or one naming an id twice (nothing is written); {@link
   *     StorageError#UNAVAILABLE} if the database failed, in which case items may or may not have
   *     been applied, each atomically
   */
  List<WriteResult> write(String namespace, List<WriteItem> items);

  /**
   * Documents whose latest write falls in {@code range}, by sequence; each document appears once,
   * at its latest sequence. Deleted documents are included (tombstones replicate).
   */
  List<StoredDocument> changes(String namespace, ChangesRange range);
}
