package io.polysync.engine;

import static java.util.Objects.requireNonNull;

/**
 * A data key encrypted by a key provider's key-encryption key, as kept in storage beside the data
 * it protects.
 *
 * @param keyId the id of the key-encryption key that wrapped it (printable, at most 64 characters
 *     of {@code [A-Za-z0-9._-]}), so the right key can be found again after a rotation
 * @param bytes the wrapped key (not copied; neither side may modify it)
 */
public record WrappedKey(String keyId, byte[] bytes) {
  public WrappedKey {
    requireNonNull(keyId, "keyId is null");
    requireNonNull(bytes, "bytes is null");
    if (!keyId.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("a key id is 1 to 64 characters of [A-Za-z0-9._-]: " + keyId);
    }
  }
}
