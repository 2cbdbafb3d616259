package io.polysync.engine.internal;

import io.polysync.engine.EngineError;
import io.polysync.spi.SyncException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM with the JDK's provider: a random 96-bit nonce per value, a 128-bit tag, and
 * associated data that binds the value to its place. A sealed value is {@code header || nonce ||
 * ciphertext || tag}; the header (format byte, key id) is authenticated with the rest.
 */
final class Aead {
  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Ciphers ready for reuse: {@code Cipher.getInstance} walks the security providers on every
   * call, a cost as large as sealing a small body. Each one is initialized afresh (key and new
   * nonce) by whoever borrows it, and used by one thread at a time.
   */
  private static final ConcurrentLinkedQueue<Cipher> POOL = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger POOLED = new AtomicInteger();
  private static final int POOL_LIMIT = 64;

  private Aead() {}

  static byte[] seal(SecretKey key, byte[] header, byte[] plain, byte[] associated) {
    byte[] out = new byte[header.length + NONCE_BYTES + plain.length + TAG_BYTES];
    System.arraycopy(header, 0, out, 0, header.length);
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, header.length, NONCE_BYTES);
    Cipher cipher = borrow();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
      cipher.updateAAD(header);
      cipher.updateAAD(associated);
      cipher.doFinal(plain, 0, plain.length, out, header.length + NONCE_BYTES);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e, e);
    } finally {
      giveBack(cipher);
    }
  }

  /**
   * Opens {@code sealed}, whose first {@code headerLength} bytes are its header.
   *
   * @throws SyncException {@link EngineError#CORRUPT_STATE} when the tag does not match: another
   *     key, another place, or altered bytes
   */
  static byte[] open(SecretKey key, byte[] sealed, int headerLength, byte[] associated, String what) {
    if (sealed.length < headerLength + NONCE_BYTES + TAG_BYTES) {
      throw new SyncException(EngineError.CORRUPT_STATE, what + " is too short to be sealed");
    }
    Cipher cipher = borrow();
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, sealed, headerLength, NONCE_BYTES));
      cipher.updateAAD(sealed, 0, headerLength);
      cipher.updateAAD(associated);
      int from = headerLength + NONCE_BYTES;
      return cipher.doFinal(sealed, from, sealed.length - from);
    } catch (AEADBadTagException e) {
      throw new SyncException(EngineError.CORRUPT_STATE, what
          + " does not open: it was altered, or moved from another place, or sealed under another key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e, e);
    } finally {
      giveBack(cipher);
    }
  }

  private static Cipher borrow() {
    Cipher cipher = POOL.poll();
    if (cipher != null) {
      POOLED.decrementAndGet();
      return cipher;
    }
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e, e);
    }
  }

  private static void giveBack(Cipher cipher) {
    if (POOLED.incrementAndGet() <= POOL_LIMIT) {
      POOL.offer(cipher);
    } else {
      POOLED.decrementAndGet();
    }
  }

  /**
   * Associated data: a label, a kind, then each part with its length, so that no two different
   * lists of parts give the same bytes.
   */
  static byte[] binding(String kind, String... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.writeBytes("polysync/1 ".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(kind.getBytes(StandardCharsets.US_ASCII));
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      int n = bytes.length;
      out.write(n >>> 24);
      out.write(n >>> 16);
      out.write(n >>> 8);
      out.write(n);
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }
}
