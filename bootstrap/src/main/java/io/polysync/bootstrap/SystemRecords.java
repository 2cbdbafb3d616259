package io.polysync.bootstrap;

import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The server's own records, kept as metadata of the storage namespace {@value #NAMESPACE}: the
 * server id, the key that signs session cookies, and the name of the admin the server set up
 * (accounts themselves live in the engine's user store; {@value #ADMIN_HASH} is only read to move
 * an older installation's admin there). A leading
 * underscore keeps the namespace out of the CouchDB database names (which must begin with a
 * letter), and every process on one storage shares the records, so ids and sessions hold across a
 * scaled-out deployment.
 */
final class SystemRecords {
  static final String NAMESPACE = "_polysync";
  static final String SERVER_ID = "server.uuid";
  static final String SESSION_KEY = "session.key";
  static final String ADMIN_NAME = "admin.name";
  static final String ADMIN_HASH = "admin.hash";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Storage storage;

  SystemRecords(Storage storage) {
    this.storage = storage;
  }

  /** Reads the records, creating them on first start in one step so concurrent starts agree. */
  Map<String, String> load() {
    var existing = storage.namespaces().get(NAMESPACE);
    if (existing.isPresent()) {
      return existing.get().metadata();
    }
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    try {
      NamespaceInfo created = storage.namespaces().create(NAMESPACE, Map.of(
          SERVER_ID, HexFormat.of().formatHex(id),
          SESSION_KEY, Base64.getEncoder().encodeToString(key)));
      return created.metadata();
    } catch (SyncException e) {
      if (e.errorCode() != StorageError.NAMESPACE_EXISTS) {
        throw e;
      }
      return storage.namespaces().get(NAMESPACE).orElseThrow(() -> e).metadata();
    }
  }

  Map<String, String> put(String key, String value) {
    return storage.namespaces().putMetadata(NAMESPACE, key, value).metadata();
  }
}
