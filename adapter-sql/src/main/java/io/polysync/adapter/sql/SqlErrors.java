package io.polysync.adapter.sql;

import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Translates driver and jOOQ exceptions into {@link SyncException} at the adapter's boundary. */
final class SqlErrors {
  private SqlErrors() {}

  /** The first {@link SQLException} in the cause chain, or null. */
  static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  static boolean isUniqueViolation(Throwable e) {
    SQLException sql = sqlCause(e);
    if (sql == null) {
      return false;
    }
    String state = sql.getSQLState();
    if (state != null && state.startsWith("23")) {
      return true;
    }
    // sqlite-jdbc reports SQLITE_CONSTRAINT (19) and its extended codes without a SQLState.
    String message = String.valueOf(sql.getMessage());
    return (sql.getErrorCode() & 0xff) == 19 && message.contains("UNIQUE")
        || message.contains("PRIMARYKEY");
  }

  static boolean isConnectionFailure(SQLException e) {
    String state = e.getSQLState();
    return e instanceof SQLTransientConnectionException
        || state != null
            && (state.startsWith("08") || state.equals("57P01") || state.equals("57P03"));
  }

  /** The typed error for {@code e}; {@code what} names the operation and never holds a secret. */
  static SyncException translate(RuntimeException e, SqlDialectSupport support, String what) {
    if (e instanceof SyncException sync) {
      return sync;
    }
    return translateThrowable(e, support, what);
  }

  static SyncException translateThrowable(Throwable e, SqlDialectSupport support, String what) {
    SQLException sql = sqlCause(e);
    String where = " (" + support.config.redactedUri() + ")";
    if (sql == null) {
      return new SyncException(StorageError.INTERNAL, what + " failed: " + e + where, e);
    }
    String detail = sql.getMessage() + " [SQLState " + sql.getSQLState() + "]";
    if (isConnectionFailure(sql) || support.isTransient(sql)) {
      return new SyncException(StorageError.UNAVAILABLE, what + " failed: " + detail + where, e);
    }
    return new SyncException(StorageError.INTERNAL, what + " failed: " + detail + where, e);
  }
}
