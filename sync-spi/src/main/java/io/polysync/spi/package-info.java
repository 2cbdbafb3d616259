/**
 * The storage SPI: what a Polysync storage adapter implements.
 *
 * <p>An adapter is thin. It stores what the engine hands it and answers range reads; every sync
 * semantic (revision trees, winners, conflicts, attachments, permissions, encryption) lives in the
 * engine, so every backend behaves the same. The entry point is {@link io.polysync.spi.StorageProvider},
 * found with {@link java.util.ServiceLoader} by URI scheme; it opens a {@link io.polysync.spi.Storage},
 * whose parts are small interfaces: {@link io.polysync.spi.NamespaceStore}, {@link
 * io.polysync.spi.DocumentStore}, {@link io.polysync.spi.LocalStore}, {@link io.polysync.spi.BlobStore},
 * {@link io.polysync.spi.QueryStore} and {@link io.polysync.spi.ChangeSignals}.
 *
 * <p>This package depends on the JDK alone. Values are immutable records validated on construction;
 * every failure is a {@link io.polysync.spi.SyncException} carrying an {@link io.polysync.spi.ErrorCode}.
 * The compliance kit (TCK) in this module's test-jar states the contract as executable tests: an
 * adapter is correct when it passes the kit. See {@code docs/spi.md}.
 */
package io.polysync.spi;
