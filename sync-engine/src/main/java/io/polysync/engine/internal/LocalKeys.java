package io.polysync.engine.internal;

import io.polysync.engine.EngineError;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.WrappedKey;
import io.polysync.spi.SyncException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Key-encryption keys held in this process: from a key file, from {@code POLYSYNC_MASTER_KEY}, or
 * given in code. Each key is 32 random bytes; its id is derived from it (the first 8 bytes of a
 * SHA-256 over a label and the key, in hex), so the file and the variable need no ids and the same
 * key has the same id everywhere. A data key is wrapped with AES-256-GCM: a 12-byte random nonce,
 * the ciphertext and the 16-byte tag, with the engine's context as associated data.
 *
 * <p>Public only so that {@link KeyProvider}'s factories can reach it; not API.
 */
public final class LocalKeys implements KeyProvider {
  static final String ENVIRONMENT_VARIABLE = "POLYSYNC_MASTER_KEY";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] ID_LABEL = "polysync key-encryption key id\0".getBytes(StandardCharsets.US_ASCII);
  private static final long RECHECK_NANOS = 1_000_000_000L;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final String FILE_HEADER = """
      # Polysync key-encryption keys: one base64 AES-256 key per line, the first one current.
      # Keep this file secret, and back it up apart from the database: without it the data
      # cannot be read. Older keys stay below the first until `polysync keys rotate` has
      # wrapped every data key under the current one again.
      """;

  /** One key-encryption key. */
  record Kek(String id, SecretKey key) {}

  private final String name;
  private final String description;
  private final Path file;
  private volatile List<Kek> keys;
  private volatile FileStamp stamp;
  private volatile long checkedAt;

  private record FileStamp(Object fileKey, long modified, long size) {}

  private LocalKeys(String name, String description, Path file, List<Kek> keys, FileStamp stamp) {
    this.name = name;
    this.description = description;
    this.file = file;
    this.keys = keys;
    this.stamp = stamp;
    this.checkedAt = System.nanoTime();
  }

  /** The key file {@code path}, created with one fresh key when absent. */
  public static LocalKeys file(Path path) {
    Path file = path.toAbsolutePath().normalize();
    createIfAbsent(file);
    FileStamp stamp = stamp(file);
    return new LocalKeys("file", "key file " + file, file, read(file), stamp);
  }

  /** The keys in {@code POLYSYNC_MASTER_KEY}. */
  public static LocalKeys environment() {
    String value = System.getenv(ENVIRONMENT_VARIABLE);
    if (value == null || value.isBlank()) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, ENVIRONMENT_VARIABLE + " is not set");
    }
    return of("env", "environment variable " + ENVIRONMENT_VARIABLE, value);
  }

  /** Keys written as {@code POLYSYNC_MASTER_KEY} takes them: base64, comma-separated, current first. */
  public static LocalKeys of(String name, String description, String base64Keys) {
    List<Kek> keys = new ArrayList<>();
    for (String part : base64Keys.split(",")) {
      if (!part.isBlank()) {
        keys.add(parse(part.strip(), description));
      }
    }
    if (keys.isEmpty()) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, description + " holds no key");
    }
    return new LocalKeys(name, description, null, List.copyOf(keys), null);
  }

  /** A fresh key, base64. */
  public static String generate() {
    byte[] key = new byte[Aead.KEY_BYTES];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** The id of a base64 key. */
  public static String idOf(String base64Key) {
    return parse(base64Key, "the key").id();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return description;
  }

  /** Every key id held, current first. */
  public List<String> keyIds() {
    return keys.stream().map(Kek::id).toList();
  }

  @Override
  public String currentKeyId() {
    return current().id();
  }

  private Kek current() {
    if (file != null && System.nanoTime() - checkedAt > RECHECK_NANOS) {
      reloadIfChanged();
    }
    return keys.get(0);
  }

  @Override
  public WrappedKey wrap(byte[] dataKey, byte[] context) {
    Kek kek = current();
    return new WrappedKey(kek.id(), Aead.seal(kek.key(), new byte[0], dataKey, context));
  }

  @Override
  public byte[] unwrap(WrappedKey wrapped, byte[] context) {
    Kek kek = find(wrapped.keyId());
    if (kek == null && file != null) {
      reloadIfChanged();
      kek = find(wrapped.keyId());
    }
    if (kek == null) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "a data key is wrapped by key-encryption key "
          + wrapped.keyId() + ", which the " + description + " does not hold (it holds " + keyIds() + ")");
    }
    return Aead.open(kek.key(), wrapped.bytes(), 0, context, "a wrapped data key");
  }

  private Kek find(String id) {
    for (Kek k : keys) {
      if (k.id().equals(id)) {
        return k;
      }
    }
    return null;
  }

  private synchronized void reloadIfChanged() {
    checkedAt = System.nanoTime();
    FileStamp now = stamp(file);
    if (!now.equals(stamp)) {
      keys = read(file);
      stamp = now;
    }
  }

  // ---------------------------------------------------------------- the key file

  /** Puts a fresh key first in the key file, keeping the others below it; returns its id. */
  public static String addKey(Path path) {
    Path file = path.toAbsolutePath().normalize();
    List<String> lines = new ArrayList<>();
    String fresh = generate();
    lines.add(fresh);
    for (Kek k : read(file)) {
      lines.add(Base64.getEncoder().encodeToString(k.key().getEncoded()));
    }
    replace(file, lines);
    return idOf(fresh);
  }

  /** Keeps only the first key of the key file; returns the ids of the keys dropped. */
  public static List<String> dropOlderKeys(Path path) {
    Path file = path.toAbsolutePath().normalize();
    List<Kek> keys = read(file);
    replace(file, List.of(Base64.getEncoder().encodeToString(keys.get(0).key().getEncoded())));
    return keys.subList(1, keys.size()).stream().map(Kek::id).toList();
  }

  private static void createIfAbsent(Path file) {
    if (Files.exists(file)) {
      return;
    }
    try {
      Files.createDirectories(file.getParent());
      Path temp = writeTemp(file, List.of(generate()));
      try {
        // A hard link publishes the whole file or nothing, and fails if another process was first.
        Files.createLink(file, temp);
      } catch (FileAlreadyExistsException e) {
        // Another process created it first: its key is the one.
      } catch (UnsupportedOperationException e) {
        try {
          Files.move(temp, file);
        } catch (FileAlreadyExistsException again) {
          // as above
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "cannot create the key file " + file + ": " + e, e);
    }
  }

  private static void replace(Path file, List<String> keys) {
    try {
      Path temp = writeTemp(file, keys);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "cannot write the key file " + file + ": " + e, e);
    }
  }

  /** A file beside {@code file} with the keys, owner-only from its creation, flushed to disk. */
  private static Path writeTemp(Path file, List<String> keys) throws IOException {
    Path temp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    boolean posix = Files.getFileAttributeView(file.getParent(), PosixFileAttributeView.class) != null;
    FileAttribute<?>[] attributes = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
    StringBuilder text = new StringBuilder(FILE_HEADER);
    keys.forEach(k -> text.append(k).append('\n'));
    try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        attributes)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    return temp;
  }

  private static List<Kek> read(Path file) {
    checkPermissions(file);
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "cannot read the key file " + file + ": " + e, e);
    }
    List<Kek> keys = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (!line.isEmpty() && !line.startsWith("#")) {
        keys.add(parse(line, "key file " + file + " line " + (i + 1)));
      }
    }
    if (keys.isEmpty()) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "the key file " + file + " holds no key");
    }
    return List.copyOf(keys);
  }

  private static void checkPermissions(Path file) {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    try {
      Set<PosixFilePermission> perms = view.readAttributes().permissions();
      Set<PosixFilePermission> others = EnumSet.copyOf(perms);
      others.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE));
      if (!others.isEmpty()) {
        throw new SyncException(EngineError.KEY_UNAVAILABLE, "the key file " + file
            + " may be used by others than its owner (" + PosixFilePermissions.toString(perms) + "); run chmod 600 "
            + file);
      }
    } catch (IOException e) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "cannot read the key file " + file + ": " + e, e);
    }
  }

  private static FileStamp stamp(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new FileStamp(a.fileKey(), a.lastModifiedTime().toMillis(), a.size());
    } catch (IOException e) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "cannot read the key file " + file + ": " + e, e);
    }
  }

  private static Kek parse(String base64, String where) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, where + " is not base64");
    }
    if (key.length != Aead.KEY_BYTES) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE,
          where + " is not a 256-bit key (" + key.length + " bytes instead of 32)");
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ID_LABEL);
      byte[] digest = sha.digest(key);
      String id = HexFormat.of().formatHex(digest, 0, 8);
      return new Kek(id, new SecretKeySpec(key, "AES"));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return name + " (" + description + ")";
  }
}
