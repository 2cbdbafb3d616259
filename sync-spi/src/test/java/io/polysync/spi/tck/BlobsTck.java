package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Blobs (attachment bytes): byte-exact storage, idempotent puts under one key, deletes, and the
 * size limit.
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
public abstract class BlobsTck extends StorageTck {

  private static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Test
  protected void put_thenGet_byteForByte() {
    String ns = newNamespace();
    byte[] data = random(100_000, 1);
    storage().blobs().put(ns, "sha256-abc", data);
    assertThat(storage().blobs().get(ns, "sha256-abc")).hasValueSatisfying(b -> assertThat(b).isEqualTo(data));
  }

  @Test
  protected void put_emptyBlob_storedEmpty() {
    String ns = newNamespace();
    storage().blobs().put(ns, "empty", new byte[0]);
    assertThat(storage().blobs().get(ns, "empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
  }

  @Test
  protected void put_sameKeyTwice_idempotent() {
    String ns = newNamespace();
    byte[] data = random(1000, 2);
    storage().blobs().put(ns, "k", data);
    storage().blobs().put(ns, "k", data.clone());
    assertThat(storage().blobs().get(ns, "k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(data));
  }

  @Test
  protected void get_unknownKey_empty() {
    String ns = newNamespace();
    storage().blobs().put(ns, "known", new byte[] {1});
    assertThat(storage().blobs().get(ns, "unknown")).isEmpty();
  }

  @Test
  protected void delete_existing_trueAndGone() {
    String ns = newNamespace();
    storage().blobs().put(ns, "k", new byte[] {1, 2});
    storage().blobs().put(ns, "kept", new byte[] {3});
    assertThat(storage().blobs().delete(ns, "k")).isTrue();
    assertThat(storage().blobs().get(ns, "k")).isEmpty();
    assertThat(storage().blobs().delete(ns, "k")).isFalse();
    assertThat(storage().blobs().get(ns, "kept")).isPresent();
  }

  @Test
  protected void delete_unknown_false() {
    String ns = newNamespace();
    assertThat(storage().blobs().delete(ns, "never")).isFalse();
  }

  @Test
  protected void put_oddKeys_storedExactly() {
    String ns = newNamespace();
    String[] keys = {
      "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "md5-1B2M2Y8AsgTpgAmY7PhCfg==",
      "with space/and\\slash", "\u00e9\uD83D\uDE00", "k".repeat(Names.MAX_BLOB_KEY_BYTES)
    };
    for (int i = 0; i < keys.length; i++) {
      storage().blobs().put(ns, keys[i], new byte[] {(byte) i});
    }
    for (int i = 0; i < keys.length; i++) {
      byte expected = (byte) i;
      assertThat(storage().blobs().get(ns, keys[i]))
          .as("blob %s", keys[i])
          .hasValueSatisfying(b -> assertThat(b).containsExactly(expected));
    }
  }

  @Test
  protected void put_sameKeyInTwoNamespaces_separate() {
    String first = newNamespace();
    String second = newNamespace();
    storage().blobs().put(first, "k", new byte[] {1});
    assertThat(storage().blobs().get(second, "k")).isEmpty();
    storage().blobs().put(second, "k", new byte[] {1});
    storage().blobs().delete(first, "k");
    assertThat(storage().blobs().get(second, "k")).isPresent();
  }

  @Test
  protected void put_aboveMaxValueBytes_valueTooLargeNothingStored() {
    long max = storage().capabilities().maxValueBytes();
    requireTestableValueLimit(max);
    String ns = newNamespace();
    assertError(
        StorageError.VALUE_TOO_LARGE, () -> storage().blobs().put(ns, "big", new byte[(int) max + 1]));
    assertThat(storage().blobs().get(ns, "big")).isEmpty();
  }

  @Test
  protected void put_ofMaxValueBytes_stored() {
    long max = storage().capabilities().maxValueBytes();
    requireTestableValueLimit(max);
    String ns = newNamespace();
    byte[] data = random((int) max, 3);
    storage().blobs().put(ns, "big", data);
    assertThat(storage().blobs().get(ns, "big")).hasValueSatisfying(b -> assertThat(b).isEqualTo(data));
  }
}
