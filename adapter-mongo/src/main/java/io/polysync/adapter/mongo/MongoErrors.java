package io.polysync.adapter.mongo;

import com.mongodb.DuplicateKeyException;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoClientException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.util.Set;

/**
 * Translates driver exceptions into {@link SyncException} at the adapter's boundary: nothing of the
 * driver's type system leaves the adapter except as a cause, and no message carries a password.
 */
final class MongoErrors {
  /** Server error codes that say "try again": not primary, shutting down, interrupted, busy. */
  private static final Set<Integer> RETRYABLE_CODES =
      Set.of(6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 112, 251, 50, 24);

  private MongoErrors() {}

  /** Whether {@code e} reports a unique index violation (E11000) and nothing else. */
  static boolean isDuplicateKey(Throwable e) {
    if (e instanceof DuplicateKeyException) {
      return true;
    }
    if (e instanceof MongoWriteException w) {
      return w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
    if (e instanceof MongoBulkWriteException b) {
      return !b.getWriteErrors().isEmpty()
          && b.getWriteConcernError() == null
          && b.getWriteErrors().stream()
              .allMatch(err -> err.getCategory() == ErrorCategory.DUPLICATE_KEY);
    }
    if (e instanceof MongoCommandException c) {
      return c.getErrorCode() == 11000;
    }
    return false;
  }

  /** Whether the same request may succeed later: the server or the network, not the request. */
  static boolean isUnavailable(Throwable e) {
    return switch (e) {
      case MongoSocketException s -> true;
      case MongoTimeoutException t -> true;
      case MongoExecutionTimeoutException t -> true;
      case MongoInterruptedException i -> true;
      case MongoNotPrimaryException n -> true;
      case MongoNodeIsRecoveringException r -> true;
      case MongoConnectionPoolClearedException c -> true;
      case MongoWriteConcernException w -> true;
      case MongoException m ->
          m.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)
              || m.hasErrorLabel(MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL)
              || m.hasErrorLabel("RetryableWriteError")
              || RETRYABLE_CODES.contains(m.getCode())
              || m instanceof MongoClientException && isClosedClient(m);
      case IllegalStateException s -> isClosedClient(s);
      default -> false;
    };
  }

  /** The driver's complaint about a client or pool used after close. */
  static boolean isClosedClient(Throwable e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("state should be: open") || message.contains("closed");
  }

  /**
   * The typed error for {@code e}; {@code what} names the operation and never holds a secret.
   * Connection, timeout, failover and transient transaction failures become {@link
   * StorageError#UNAVAILABLE} (retryable); refused credentials {@link
   * StorageError#INVALID_CONFIGURATION} (retrying with them fails again); anything else {@link
   * StorageError#INTERNAL}.
   */
  static SyncException translate(RuntimeException e, MongoSettings settings, String what) {
    if (e instanceof SyncException sync) {
      return sync;
    }
    String detail = settings.scrub(describe(e));
    String where = " (" + settings.redactedUri() + ")";
    StorageError code =
        isUnavailable(e)
            ? StorageError.UNAVAILABLE
            : e instanceof MongoSecurityException ? StorageError.INVALID_CONFIGURATION : StorageError.INTERNAL;
    return new SyncException(code, what + " failed: " + detail + where, e);
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    String kind = e.getClass().getSimpleName();
    if (e instanceof MongoException m && m.getCode() != -1) {
      kind += " " + m.getCode();
    }
    return message == null ? kind : kind + ": " + message;
  }
}
