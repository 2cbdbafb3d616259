package io.polysync.adapter.sql;

import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Translates driver and jOOQ exceptions into {@link SyncException} at the adapter's boundary. */
final class SqlErrors {
  private static final int MAX_CAUSES = 32;

  private SqlErrors() {}

  /** The first {@link SQLException} in the cause chain, or null. */
  static SQLException sqlCause(Throwable e) {
    List<SQLException> all = sqlCauses(e);
    return all.isEmpty() ? null : all.get(0);
  }

  /**
   * Every {@link SQLException} in the cause chain, outermost first, each followed by those it
   * chains with {@link SQLException#getNextException()}. The one that says what happened is not
   * always the first: jOOQ reports a connection lost while it reads a result as its own {@code
   * SQLException} without a SQLState ("Error while reading field"), caused by the driver's; a
   * JDBC batch may chain the real failure as the next exception.
   */
  static List<SQLException> sqlCauses(Throwable e) {
    List<SQLException> out = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof SQLException sql) {
        out.add(sql);
        for (SQLException next = sql.getNextException();
            next != null && seen.add(next) && out.size() < MAX_CAUSES;
            next = next.getNextException()) {
          out.add(next);
        }
      }
    }
    return out;
  }

  /** Whether any SQL cause of {@code e} says the connection failed. */
  static boolean isConnectionFailure(Throwable e) {
    return sqlCauses(e).stream().anyMatch(SqlErrors::isConnectionFailure);
  }

  /** Whether any SQL cause of {@code e} is a lock conflict that rolled the transaction back. */
  static boolean isTransient(Throwable e, SqlDialectSupport support) {
    return sqlCauses(e).stream().anyMatch(support::isTransient);
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
    List<SQLException> causes = sqlCauses(e);
    String where = " (" + support.config.redactedUri() + ")";
    if (causes.isEmpty()) {
      return new SyncException(StorageError.INTERNAL, what + " failed: " + e + where, e);
    }
    Optional<SQLException> unavailable =
        causes.stream().filter(c -> isConnectionFailure(c) || support.isTransient(c)).findFirst();
    // The message names the cause that decided, else the first that has a SQLState.
    SQLException sql =
        unavailable.orElseGet(
            () ->
                causes.stream()
                    .filter(c -> c.getSQLState() != null)
                    .findFirst()
                    .orElse(causes.get(0)));
    String detail = sql.getMessage() + " [SQLState " + sql.getSQLState() + "]";
    return new SyncException(
        unavailable.isPresent() ? StorageError.UNAVAILABLE : StorageError.INTERNAL,
        what + " failed: " + detail + where,
        e);
  }
}
