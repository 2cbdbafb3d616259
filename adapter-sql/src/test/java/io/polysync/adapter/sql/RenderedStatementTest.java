package io.polysync.adapter.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.adapter.sql.RenderedStatement.Arg;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.Test;

/** Statements rendered once and bound by plain JDBC, on an in-memory SQLite database. */
final class RenderedStatementTest {
  private static final Table<?> T = DSL.table(DSL.name("t"));
  private static final Field<Long> A = DSL.field(DSL.name("t", "a"), SQLDataType.BIGINT);
  private static final Field<String> B = DSL.field(DSL.name("t", "b"), SQLDataType.VARCHAR);
  private static final Field<byte[]> C = DSL.field(DSL.name("t", "c"), SQLDataType.VARBINARY);

  private final DSLContext dsl = DSL.using(SQLDialect.SQLITE, SqlStorage.SETTINGS);

  private static Connection database() throws Exception {
    Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (a BIGINT, b VARCHAR(20), c BLOB)");
      s.execute("INSERT INTO t VALUES (1, 'one', x'01'), (2, 'two', x'02'), (3, 'three', x'03')");
    }
    return c;
  }

  @Test
  void arguments_boundWhereTheShapeUsesThem_notInTheirOrder() throws Exception {
    // The limit (argument 0) renders last, the blob (argument 2) first.
    RenderedStatement statement =
        RenderedStatement.render(
            dsl,
            List.of(Arg.INT, Arg.LONG, Arg.BYTES),
            p ->
                DSL.select(B)
                    .from(T)
                    .where(C.ne(RenderedStatement.<byte[]>arg(p, 2)))
                    .and(A.ge(RenderedStatement.<Long>arg(p, 1)))
                    .orderBy(A)
                    .limit(RenderedStatement.<Integer>arg(p, 0)));
    try (Connection c = database()) {
      assertThat(statement.list(c, rs -> rs.getString(1), 1, 2L, new byte[] {3}))
          .containsExactly("two");
      assertThat(statement.list(c, rs -> rs.getString(1), 5, 1L, new byte[] {2}))
          .containsExactly("one", "three");
      assertThat(statement.first(c, rs -> rs.getString(1), 5, 4L, new byte[] {2})).isEmpty();
    }
  }

  @Test
  void update_returnsTheRowsItChanged() throws Exception {
    RenderedStatement statement =
        RenderedStatement.render(
            dsl,
            List.of(Arg.LONG, Arg.STRING),
            p ->
                DSL.update(T)
                    .set(B, RenderedStatement.<String>arg(p, 1))
                    .where(A.eq(RenderedStatement.<Long>arg(p, 0))));
    try (Connection c = database()) {
      assertThat(statement.update(c, 2L, "deux")).isEqualTo(1);
      assertThat(statement.update(c, 9L, "neuf")).isZero();
      RenderedStatement read =
          RenderedStatement.render(
              dsl,
              List.of(Arg.LONG),
              p -> DSL.select(B).from(T).where(A.eq(RenderedStatement.<Long>arg(p, 0))));
      assertThat(read.first(c, rs -> rs.getString(1), 2L)).contains("deux");
    }
  }

  @Test
  void aConstantBoundAsAParameter_isRefused() {
    // Bound, the constant would be a value no caller passes.
    assertThatThrownBy(
            () ->
                RenderedStatement.render(
                    dsl,
                    List.of(Arg.LONG),
                    p ->
                        DSL.select(B)
                            .from(T)
                            .where(A.eq(RenderedStatement.<Long>arg(p, 0)))
                            .and(A.ne(5L))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not one of its arguments");
  }

  @Test
  void anArgumentTheShapeLeavesOut_isRefused() {
    assertThatThrownBy(
            () ->
                RenderedStatement.render(
                    dsl,
                    List.of(Arg.LONG, Arg.LONG),
                    p -> DSL.select(B).from(T).where(A.eq(RenderedStatement.<Long>arg(p, 0)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("argument 1")
        .hasMessageContaining("is not bound");
  }
}
