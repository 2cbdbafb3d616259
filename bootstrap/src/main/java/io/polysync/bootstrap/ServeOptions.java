package io.polysync.bootstrap;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the server is started with.
 *
 * @param port 0 for any free port
 * @param admin {@code NAME:PASSWORD} of the administrator, replacing the stored one
 * @param storageUri the storage; {@code sqlite:<dataDir>/polysync.db} when empty
 * @param settings front-end settings by dotted key
 * @param keys encryption at rest: on or off, and where the keys come from
 * @param tls HTTPS, or plain HTTP
 * @param observe metrics access, access log, readiness timeout
 */
record ServeOptions(
    String host, int port, Path dataDir, Optional<String> admin, Optional<String> storageUri,
    Map<String, String> settings, KeyOptions keys, TlsOptions tls, ObserveOptions observe) {
  ServeOptions {
    requireNonNull(host, "host is null");
    requireNonNull(dataDir, "dataDir is null");
    requireNonNull(admin, "admin is null");
    requireNonNull(storageUri, "storageUri is null");
    settings = Map.copyOf(settings);
    requireNonNull(keys, "keys is null");
    requireNonNull(tls, "tls is null");
    requireNonNull(observe, "observe is null");
  }

  /** With {@link ObserveOptions#defaults()}. */
  ServeOptions(String host, int port, Path dataDir, Optional<String> admin, Optional<String> storageUri,
      Map<String, String> settings, KeyOptions keys, TlsOptions tls) {
    this(host, port, dataDir, admin, storageUri, settings, keys, tls, ObserveOptions.defaults());
  }

  /** Encryption on, keys as {@link KeyOptions#defaults()} find them, plain HTTP. */
  ServeOptions(String host, int port, Path dataDir, Optional<String> admin, Optional<String> storageUri,
      Map<String, String> settings) {
    this(host, port, dataDir, admin, storageUri, settings, KeyOptions.defaults(), TlsOptions.none());
  }

  String effectiveStorageUri() {
    return effectiveStorageUri(storageUri, dataDir);
  }

  static String effectiveStorageUri(Optional<String> storageUri, Path dataDir) {
    return storageUri.filter(s -> !s.isBlank())
        .orElseGet(() -> "sqlite:" + dataDir.resolve("polysync.db"));
  }

  ServeOptions withKeys(KeyOptions keys) {
    return new ServeOptions(host, port, dataDir, admin, storageUri, settings, keys, tls, observe);
  }

  ServeOptions withTls(TlsOptions tls) {
    return new ServeOptions(host, port, dataDir, admin, storageUri, settings, keys, tls, observe);
  }

  ServeOptions withObserve(ObserveOptions observe) {
    return new ServeOptions(host, port, dataDir, admin, storageUri, settings, keys, tls, observe);
  }
}
