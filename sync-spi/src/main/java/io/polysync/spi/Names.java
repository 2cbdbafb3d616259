package io.polysync.spi;

import java.nio.charset.StandardCharsets;

/**
 * The limits on ids and names every adapter accepts and stores exactly. The engine and the
 * front-ends apply narrower protocol rules on top.
 *
 * <p>Ids are compared and ordered by Unicode code point (which is UTF-8 byte order): adapters must
 * use a binary collation ({@code COLLATE "C"}, {@code utf8mb4_bin}, SQLite's BINARY).
 */
public final class Names {
  /** The longest document or local document id, in UTF-8 bytes. */
  public static final int MAX_ID_BYTES = 512;
  /** The longest namespace name, in UTF-8 bytes. */
  public static final int MAX_NAMESPACE_BYTES = 255;
  /** The longest blob key, in UTF-8 bytes. */
  public static final int MAX_BLOB_KEY_BYTES = 255;

  private Names() {}

  /** Checks a document or local document id. */
  public static String checkId(String id) {
    return check(id, MAX_ID_BYTES, StorageError.INVALID_ID, "document id");
  }

  /** Checks a namespace name. */
  public static String checkNamespace(String name) {
    return check(name, MAX_NAMESPACE_BYTES, StorageError.INVALID_NAMESPACE_NAME, "namespace name");
  }

  /** Checks a blob key. */
  public static String checkBlobKey(String key) {
    return check(key, MAX_BLOB_KEY_BYTES, StorageError.INVALID_ARGUMENT, "blob key");
  }

  /** Orders strings by Unicode code point, the order every adapter must use for ids and names. */
  public static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static String check(String value, int maxBytes, StorageError error, String what) {
    if (value == null || value.isEmpty()) {
      throw new SyncException(error, what + " is empty");
    }
    int bytes = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        throw new SyncException(error, what + " contains the NUL character");
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
          throw new SyncException(error, what + " is not well-formed Unicode (lone surrogate)");
        }
        i++;
        bytes += 4;
      } else if (Character.isLowSurrogate(c)) {
        throw new SyncException(error, what + " is not well-formed Unicode (lone surrogate)");
      } else {
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
      if (bytes > maxBytes) {
        throw new SyncException(
            error, what + " is longer than " + maxBytes + " bytes in UTF-8");
      }
    }
    assert bytes == value.getBytes(StandardCharsets.UTF_8).length;
    return value;
  }
}
