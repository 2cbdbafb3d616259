package io.polysync.spi;

import static java.util.Objects.requireNonNull;

/**
 * The one unchecked exception of Polysync. Adapters translate every driver exception at their
 * boundary into this type, so no driver type ever reaches the engine or a front-end.
 */
public class SyncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ErrorCode errorCode;

  public SyncException(ErrorCode errorCode, String message) {
    super(requireNonNull(message, "message is null"));
    this.errorCode = requireNonNull(errorCode, "errorCode is null");
  }

  public SyncException(ErrorCode errorCode, String message, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.errorCode = requireNonNull(errorCode, "errorCode is null");
  }

  public ErrorCode errorCode() {
    return errorCode;
  }

  public ErrorCategory category() {
    return errorCode.category();
  }

  /** True when the same request may succeed if retried later. */
  public boolean isRetryable() {
    return errorCode.category() == ErrorCategory.UNAVAILABLE;
  }
}
