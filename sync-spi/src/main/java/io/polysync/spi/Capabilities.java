package io.polysync.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The complete declaration of what a storage can do, and its limits.
 *
 * @param flags the capabilities declared; anything absent is unsupported
 * @param maxValueBytes the largest document state, local document or blob accepted, in bytes
 * @param maxBatchSize the largest number of items in one {@link DocumentStore#write} call
 * @param signalPollInterval how late a change from another process may be signalled at worst
 *     (zero when signals are pushed natively)
 */
public record Capabilities(
    Set<Capability> flags, long maxValueBytes, int maxBatchSize, Duration signalPollInterval) {

  public Capabilities {
    flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
    requireNonNull(signalPollInterval, "signalPollInterval is null");
    if (maxValueBytes < 1024) {
      throw new IllegalArgumentException("maxValueBytes must be at least 1024: " + maxValueBytes);
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be positive: " + maxBatchSize);
    }
    if (signalPollInterval.isNegative()) {
      throw new IllegalArgumentException("signalPollInterval is negative");
    }
  }

  public boolean has(Capability capability) {
    return flags.contains(capability);
  }

  /** Throws the typed "unsupported" error unless {@code capability} was declared. */
  public void require(Capability capability) {
    if (!has(capability)) {
      throw new SyncException(
          StorageError.UNSUPPORTED_CAPABILITY, "this storage does not support " + capability);
    }
  }
}
