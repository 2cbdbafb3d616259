package io.polysync.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A namespace and its counters, read in one consistent step.
 *
 * @param name the namespace name
 * @param metadata free-form string pairs the engine keeps with the namespace (security settings,
 *     revision limit, creation time)
 * @param lastSeq the highest sequence number assigned so far, 0 for a new namespace
 * @param lastTimestamp the highest timestamp assigned so far (epoch milliseconds), 0 when none
 * @param documentCount documents whose winning revision is not deleted
 * @param deletedCount documents whose winning revision is deleted
 */
public record NamespaceInfo(
    String name,
    Map<String, String> metadata,
    long lastSeq,
    long lastTimestamp,
    long documentCount,
    long deletedCount) {

  public NamespaceInfo {
    Names.checkNamespace(name);
    metadata = Map.copyOf(requireNonNull(metadata, "metadata is null"));
    if (lastSeq < 0 || lastTimestamp < 0 || documentCount < 0 || deletedCount < 0) {
      throw new IllegalArgumentException("negative counter in namespace " + name);
    }
  }
}
