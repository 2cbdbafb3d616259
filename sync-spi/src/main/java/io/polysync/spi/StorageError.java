package io.polysync.spi;

/** The error codes the storage SPI defines; adapters raise these and no others. */
public enum StorageError implements ErrorCode {
  /** The namespace does not exist (or was dropped). */
  NAMESPACE_NOT_FOUND(ErrorCategory.NOT_FOUND),
  /** A namespace of that name exists already. */
  NAMESPACE_EXISTS(ErrorCategory.CONFLICT),
  /** A local document's expected version did not match. */
  LOCAL_CONFLICT(ErrorCategory.CONFLICT),
  /** A document id is empty, too long, or not well-formed Unicode. */
  INVALID_ID(ErrorCategory.INVALID_REQUEST),
  /** A namespace name is empty, too long, or not well-formed Unicode. */
  INVALID_NAMESPACE_NAME(ErrorCategory.INVALID_REQUEST),
  /** A write batch is empty, too large, or names one document twice. */
  INVALID_BATCH(ErrorCategory.INVALID_REQUEST),
  /** A value exceeds {@link Capabilities#maxValueBytes()}. */
  VALUE_TOO_LARGE(ErrorCategory.INVALID_REQUEST),
  /** Any other argument out of its documented range. */
  INVALID_ARGUMENT(ErrorCategory.INVALID_REQUEST),
  /** The storage URI names no installed provider, or is malformed. */
  INVALID_CONFIGURATION(ErrorCategory.INVALID_REQUEST),
  /** The operation needs a {@link Capability} this storage did not declare. */
  UNSUPPORTED_CAPABILITY(ErrorCategory.UNSUPPORTED),
  /** The backend is unreachable, overloaded, or the storage was closed; retry later. */
  UNAVAILABLE(ErrorCategory.UNAVAILABLE),
  /** The store holds something it cannot read back, or the adapter hit a bug. */
  INTERNAL(ErrorCategory.INTERNAL);

  private final ErrorCategory category;

  StorageError(ErrorCategory category) {
    this.category = category;
  }

  @Override
  public String code() {
    return "storage." + name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public ErrorCategory category() {
    return category;
  }
}
