package io.polysync.engine;

import java.util.List;
import java.util.Map;

/**
 * The data keys of every database, by the key-encryption key that wraps them: what {@link
 * SyncEngine#dataKeyReport()} finds, or what {@link SyncEngine#rewrapDataKeys()} left behind.
 *
 * @param currentKeyId the key provider's current key id
 * @param databases storage namespaces looked at (databases and the engine's own)
 * @param withoutKey namespaces that have no data key yet: nothing sealed was ever written there
 * @param dataKeysByKeyId the number of data keys wrapped by each key-encryption key
 * @param rewrapped data keys wrapped again under the current key by this call (0 for a report)
 * @param unreadable {@code namespace: reason} for each data key that could not be unwrapped
 */
public record DataKeyReport(
    String currentKeyId, int databases, int withoutKey, Map<String, Integer> dataKeysByKeyId, int rewrapped,
    List<String> unreadable) {
  public DataKeyReport {
    dataKeysByKeyId = Map.copyOf(dataKeysByKeyId);
    unreadable = List.copyOf(unreadable);
  }

  /** Whether every data key is wrapped by the current key, so older keys may be dropped. */
  public boolean allCurrent() {
    return unreadable.isEmpty() && dataKeysByKeyId.keySet().stream().allMatch(currentKeyId::equals);
  }
}
