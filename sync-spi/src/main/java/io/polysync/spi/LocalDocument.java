package io.polysync.spi;

import static java.util.Objects.requireNonNull;

/**
 * A local (non-replicated) document such as a replication checkpoint: no revision tree, no
 * sequence, not in the changes feed.
 *
 * @param id the id, without any protocol prefix such as {@code _local/}
 * @param version 1 after the first write, incremented by each later write
 * @param body the engine's encoded body (not copied)
 */
public record LocalDocument(String id, long version, byte[] body) {
  public LocalDocument {
    Names.checkId(id);
    requireNonNull(body, "body is null");
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive: " + version);
    }
  }
}
