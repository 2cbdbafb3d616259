package io.polysync.spi;

import static java.util.Objects.requireNonNull;

/**
 * A document as stored: clear metadata the adapter indexes, and the engine's opaque state.
 *
 * <p>{@code state} holds the whole revision tree with leaf bodies and attachment stubs, encoded (and
 * possibly sealed) by the engine; the adapter stores and returns it byte for byte and never looks
 * inside. The array is not copied: neither side may modify it after handing it over.
 *
 * @param id the document id
 * @param seq the namespace sequence number of the write that produced this state (positive)
 * @param timestamp the namespace timestamp of that write, epoch milliseconds (positive)
 * @param winningRev the winning revision, such as {@code 3-0a1b...}, for listings without decoding
 * @param deleted whether the winning revision is a deletion
 * @param state the engine's encoded state
 */
public record StoredDocument(
    String id, long seq, long timestamp, String winningRev, boolean deleted, byte[] state) {

  public StoredDocument {
    Names.checkId(id);
    requireNonNull(winningRev, "winningRev is null");
    requireNonNull(state, "state is null");
    if (seq <= 0) {
      throw new IllegalArgumentException("seq must be positive: " + seq);
    }
    if (timestamp <= 0) {
      throw new IllegalArgumentException("timestamp must be positive: " + timestamp);
    }
  }
}
