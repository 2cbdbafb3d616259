package io.polysync.spi;

import java.util.Set;

/**
 * The entry point of a storage adapter, found with {@link java.util.ServiceLoader}.
 *
 * <p>Small and standalone, like {@code java.sql.Driver}: it can be loaded and asked its schemes
 * without bringing in the driver. Implementations must have a public no-argument constructor and
 * be listed in {@code META-INF/services/io.polysync.spi.StorageProvider}.
 *
 * <p>Thread-safe: {@link #open} may be called any number of times, from any thread; each call
 * returns an independent {@link Storage}.
 */
public interface StorageProvider {
  /** The SPI version this build of Polysync implements; see {@code docs/spi.md}. */
  int SPI_VERSION = 1;

  /** A short name for logs, such as {@code sql} or {@code mongo}. */
  String name();

  /** The URI schemes this provider opens, lower case, such as {@code sqlite} and {@code h2}. */
  Set<String> schemes();

  /** The SPI version the adapter was written against; must equal {@link #SPI_VERSION}. */
  default int spiVersion() {
    return SPI_VERSION;
  }

  /** Option keys whose values are secrets and must never be logged. */
  default Set<String> sensitiveOptions() {
    return Set.of("password");
  }

  /**
   * Opens a storage: connects, creates or migrates the schema, and returns when it is ready.
   *
   * @throws SyncException {@link StorageError#INVALID_CONFIGURATION} for a malformed URI or option,
   *     {@link StorageError#UNAVAILABLE} when the database cannot be reached. The message never
   *     contains a password.
   */
  Storage open(StorageConfig config);
}
