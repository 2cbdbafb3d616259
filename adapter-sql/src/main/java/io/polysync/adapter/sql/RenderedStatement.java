package io.polysync.adapter.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.impl.DSL;

/**
 * A statement whose SQL jOOQ builds and renders once, for the storage's dialect; every run binds
 * its arguments and reads its rows with plain JDBC. Building and rendering a small statement
 * through jOOQ costs more CPU than SQLite takes to answer it, and a live replication runs a dozen
 * such statements per change (the changes since a sequence, a document by id, local documents,
 * namespace lookups). The statements that write a batch of documents are plain JDBC already.
 *
 * <p>The shape gets one {@link Param} per argument, each holding a marker value of the argument's
 * type. After rendering, the markers found among the rendered statement's bind values, in order,
 * say which argument each {@code ?} takes, whatever order the dialect renders the clauses in.
 */
final class RenderedStatement {
  /** Reads one row of a result. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** The types an argument may have. */
  enum Arg {
    LONG,
    INT,
    BYTES,
    STRING,
    BOOLEAN
  }

  private final String sql;

  /** For each {@code ?} in order, the index of the argument it takes. */
  private final int[] argumentAt;

  private RenderedStatement(String sql, int[] argumentAt) {
    this.sql = sql;
    this.argumentAt = argumentAt;
  }

  /**
   * Renders {@code shape} for {@code dsl}'s dialect; {@code shape} receives one parameter per entry
   * of {@code args}, to use exactly where the argument goes.
   */
  static RenderedStatement render(
      DSLContext dsl, List<Arg> args, Function<List<Param<?>>, Query> shape) {
    if (args.stream().filter(a -> a == Arg.BOOLEAN).count() > 1) {
      // Two booleans' markers could not be told apart.
      throw new IllegalArgumentException("a rendered statement takes one boolean argument at most");
    }
    List<Object> markers = new ArrayList<>(args.size());
    List<Param<?>> params = new ArrayList<>(args.size());
    for (int i = 0; i < args.size(); i++) {
      Object marker = marker(args.get(i), i);
      markers.add(marker);
      params.add(DSL.param("p" + i, marker));
    }
    Query query = shape.apply(params);
    String sql = dsl.render(query);
    List<Object> bound = dsl.extractBindValues(query);
    int[] argumentAt = new int[bound.size()];
    boolean[] used = new boolean[args.size()];
    for (int position = 0; position < bound.size(); position++) {
      argumentAt[position] = indexOf(markers, bound.get(position), sql);
      used[argumentAt[position]] = true;
    }
    for (int i = 0; i < used.length; i++) {
      // A dialect that renders an argument inline (a LIMIT, say) would run every time with the
      // marker in its place.
      if (!used[i]) {
        throw new IllegalStateException("argument " + i + " of " + sql + " is not bound");
      }
    }
    return new RenderedStatement(sql, argumentAt);
  }

  /** Parameter {@code i} of a shape, typed as the field it stands for. */
  @SuppressWarnings("unchecked")
  static <T> Field<T> arg(List<Param<?>> params, int i) {
    return (Field<T>) params.get(i);
  }

  /** A value of {@code type} that no other argument of a shape has. */
  private static Object marker(Arg type, int i) {
    return switch (type) {
      case LONG -> 7_000_000_001L + i;
      case INT -> 7_001 + i;
      case BYTES -> new byte[] {0x7f, 0x00, 0x7e, (byte) i};
      case STRING -> "\u0000marker" + i;
      case BOOLEAN -> Boolean.TRUE;
    };
  }

  private static int indexOf(List<Object> markers, Object value, String sql) {
    for (int i = 0; i < markers.size(); i++) {
      Object m = markers.get(i);
      boolean same =
          m instanceof byte[] b
              ? value instanceof byte[] v && Arrays.equals(b, v)
              : m instanceof Number n
                  ? value instanceof Number v && v.longValue() == n.longValue()
                  : m.equals(value);
      if (same) {
        return i;
      }
    }
    throw new IllegalStateException(
        "a bind value of " + sql + " is not one of its arguments: " + value);
  }

  String sql() {
    return sql;
  }

  /** The rows of the statement run with {@code args} on {@code c}. */
  <T> List<T> list(Connection c, RowReader<T> reader, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(reader.read(rs));
        }
        return out;
      }
    }
  }

  /** The first row of the statement run with {@code args} on {@code c}, if any. */
  <T> Optional<T> first(Connection c, RowReader<T> reader, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
      }
    }
  }

  /** Runs the statement with {@code args} on {@code c}; the number of rows it changed. */
  int update(Connection c, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  private void bind(PreparedStatement ps, Object[] args) throws SQLException {
    for (int position = 0; position < argumentAt.length; position++) {
      Object arg = args[argumentAt[position]];
      int index = position + 1;
      switch (arg) {
        case Long l -> ps.setLong(index, l);
        case Integer n -> ps.setInt(index, n);
        case byte[] b -> ps.setBytes(index, b);
        case String s -> ps.setString(index, s);
        case Boolean b -> ps.setBoolean(index, b);
        default -> throw new IllegalArgumentException("no binding for " + arg.getClass());
      }
    }
  }
}
