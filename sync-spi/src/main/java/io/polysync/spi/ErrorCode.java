package io.polysync.spi;

/**
 * A stable, machine-readable error code with its {@link ErrorCategory}.
 *
 * <p>An interface rather than one enum so that the engine and the front-ends can define codes of
 * their own (revision syntax, missing attachment stubs, ...) without changing the SPI; the codes
 * storage adapters raise are in {@link StorageError}. Codes are compared by {@link #code()}.
 */
public interface ErrorCode {
  /** A lower-case, dotted, stable identifier such as {@code storage.namespace_not_found}. */
  String code();

  /** The category front-ends map to a status. */
  ErrorCategory category();
}
