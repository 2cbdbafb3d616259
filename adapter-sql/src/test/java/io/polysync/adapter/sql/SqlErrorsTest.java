package io.polysync.adapter.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import java.net.SocketTimeoutException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;

/** Which driver and jOOQ failures mean "unavailable, retry later"; no server needed. */
final class SqlErrorsTest {
  private final SqlDialectSupport postgres =
      SqlDialectSupport.forConfig(StorageConfig.of("postgresql://u:secret@db.invalid/x"));

  private static SQLException ioError() {
    return new SQLException("An I/O error occurred while sending to the backend.", "08006",
        new SocketTimeoutException("Read timed out"));
  }

  @Test
  void translate_connectionLostWhileJooqReadsAResult_unavailable() {
    // What jOOQ throws when the connection dies in the middle of a fetch: its own SQLException,
    // without a SQLState, caused by the driver's.
    RuntimeException e = new DataAccessException("SQL [SELECT pg_notify(?, ?)]; Error while reading field",
        new SQLException("Error while reading field: \"pg_notify\", at JDBC index: 1", ioError()));
    var translated = SqlErrors.translate(e, postgres, "writing to notes");
    assertThat(translated.errorCode()).isEqualTo(StorageError.UNAVAILABLE);
    assertThat(translated.getMessage()).contains("SQLState 08006").doesNotContain("secret");
    assertThat(SqlErrors.isConnectionFailure(e)).isTrue();
  }

  @Test
  void translate_failureChainedAsNextException_unavailable() {
    BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", null, 0, new int[0], null);
    batch.setNextException(ioError());
    assertThat(SqlErrors.translate(new DataAccessException("batch", batch), postgres, "writing").errorCode())
        .isEqualTo(StorageError.UNAVAILABLE);
  }

  @Test
  void translate_poolTimeoutAndWrappedLockConflict_unavailable() {
    assertThat(SqlErrors.translate(new DataAccessException("no connection",
        new SQLTransientConnectionException("Connection is not available, request timed out after 5000ms")),
        postgres, "reading").errorCode()).isEqualTo(StorageError.UNAVAILABLE);
    RuntimeException deadlock = new DataAccessException("x",
        new SQLException("wrapper", new SQLException("deadlock detected", "40P01")));
    assertThat(SqlErrors.isTransient(deadlock, postgres)).isTrue();
    assertThat(SqlErrors.translate(deadlock, postgres, "writing").errorCode()).isEqualTo(StorageError.UNAVAILABLE);
  }

  @Test
  void translate_otherFailures_internal() {
    assertThat(SqlErrors.translate(new DataAccessException("x", new SQLException("syntax error", "42601")),
        postgres, "reading").errorCode()).isEqualTo(StorageError.INTERNAL);
    assertThat(SqlErrors.translate(new IllegalStateException("bug"), postgres, "reading").errorCode())
        .isEqualTo(StorageError.INTERNAL);
  }

  @Test
  void sqlCauses_causeThatIsAlsoTheNextException_listedOnce() {
    SQLException inner = ioError();
    SQLException outer = new SQLException("outer", inner);
    outer.setNextException(inner);
    assertThat(SqlErrors.sqlCauses(new DataAccessException("x", outer))).containsExactly(outer, inner);
  }
}
