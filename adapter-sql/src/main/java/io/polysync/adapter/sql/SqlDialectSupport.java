package io.polysync.adapter.sql;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;

/**
 * What differs between the SQL backends: how a URI becomes a JDBC connection, the column types of
 * each migration step, how the schema is locked while it migrates, and which errors are worth a
 * retry. One subclass per backend; everything else in the adapter is shared.
 */
abstract class SqlDialectSupport {

  /** Where and how to connect; the password lives here and in no message. */
  record Target(
      String jdbcUrl, String driverClass, Properties properties, Map<String, String> params) {}

  final StorageConfig config;
  final Map<String, String> params;

  SqlDialectSupport(StorageConfig config, Map<String, String> params) {
    this.config = config;
    this.params = params;
  }

  static SqlDialectSupport forConfig(StorageConfig config) {
    String scheme = config.scheme();
    String rest = config.uri().substring(scheme.length() + 1);
    Map<String, String> params = new LinkedHashMap<>();
    int question = rest.indexOf('?');
    if (question >= 0) {
      params.putAll(parseQuery(rest.substring(question + 1), config));
      rest = rest.substring(0, question);
    }
    // Options given beside the URI win over its query parameters: they are the operator's config.
    params.putAll(config.options());
    return switch (scheme) {
      case "sqlite" -> new SqliteSupport(config, params, requirePath(rest, config));
      case "h2" -> new H2Support(config, params, requirePath(rest, config));
      case "postgresql", "postgres" ->
          new PostgresSupport(config, params, ServerAddress.parse(rest, 5432, config, params));
      case "mariadb" ->
          new MariaDbSupport(
              config, params, ServerAddress.parse(rest, 3306, config, params), SQLDialect.MARIADB);
      case "mysql" ->
          new MariaDbSupport(
              config, params, ServerAddress.parse(rest, 3306, config, params), SQLDialect.MYSQL);
      default ->
          throw new SyncException(
              StorageError.INVALID_CONFIGURATION,
              "the SQL adapter does not handle " + config.redactedUri());
    };
  }

  /** A short backend name for messages and thread names. */
  abstract String backend();

  abstract SQLDialect dialect();

  abstract Target target();

  /** The DDL of migration step {@code version} (1-based), in order. */
  abstract List<String> migration(int version);

  /**
   * Runs {@code work} on {@code connection} holding a lock that serializes schema migrations across
   * processes. The work runs in one transaction where the backend allows transactional DDL.
   */
  abstract void withSchemaLock(Connection connection, SqlWork work) throws SQLException;

  /** Runs {@code work} in one transaction on {@code connection}, rolled back if it throws. */
  static void inTransaction(Connection connection, SqlWork work) throws SQLException {
    connection.setAutoCommit(false);
    try {
      work.run(connection);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  /**
   * Runs a write (a transaction or a statement that writes) of this process. By default it just
   * runs; a backend whose database takes one writer at a time may queue this process's writers
   * here rather than in the database's own busy wait.
   */
  <T> T write(java.util.function.Supplier<T> work) {
    return work.get();
  }

  /** Whether the namespace row can be locked with {@code SELECT ... FOR UPDATE}. */
  boolean lockRowsForUpdate() {
    return true;
  }

  /** Whether other processes' commits are pushed (PostgreSQL LISTEN/NOTIFY) rather than polled. */
  boolean nativeSignals() {
    return false;
  }

  /** Whether several processes may open one database at once. */
  boolean multiProcess() {
    return true;
  }

  long maxValueBytes() {
    return 8L << 20;
  }

  int defaultPoolSize() {
    return 10;
  }

  /** Whether an error means the transaction was rolled back by a lock conflict and may be rerun. */
  boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  /** The JDBC parameter marker of a query body's JSON text, cast to its column type. */
  String jsonParameter() {
    return "?";
  }

  /**
   * The statement that reads the stored sequence of up to {@code count} ids of one namespace,
   * returning {@code doc_id, seq, deleted}; {@link #bindCurrentSequences} binds its parameters.
   */
  String currentSequencesSql(int count) {
    return "SELECT doc_id, seq, deleted FROM polysync_documents WHERE ns_id = ? AND doc_id IN ("
        + "?,".repeat(count - 1)
        + "?)";
  }

  void bindCurrentSequences(PreparedStatement ps, long nsId, List<byte[]> ids)
      throws SQLException {
    ps.setLong(1, nsId);
    for (int i = 0; i < ids.size(); i++) {
      ps.setBytes(i + 2, ids.get(i));
    }
  }

  /** The documents among {@code ids} in namespace {@code ns}, with the columns {@code COLUMNS}. */
  ResultQuery<Record> documentsById(DSLContext ctx, Field<Long> ns, List<byte[]> ids) {
    return ctx.select(SqlDocumentStore.COLUMNS)
        .from(SqlTables.DOCUMENTS)
        .where(SqlTables.DOC_NS.eq(ns).and(SqlTables.DOC_ID.in(ids)));
  }

  /**
   * A statement that overwrites existing documents, taking the insert's parameters in the insert's
   * order, or null to write them with a batched {@code UPDATE}. It needs no condition: the caller
   * has checked every row's sequence under the namespace lock. For backends whose driver sends a
   * batched {@code INSERT} as one multi-row statement but a batched {@code UPDATE} as one statement
   * per row.
   */
  String overwriteSql(String columns, String values) {
    return null;
  }

  /** Body-field push-down, or null when this backend answers only id/seq/timestamp queries. */
  SqlBodyFields bodyFields() {
    return null;
  }

  int intOption(String key, int defaultValue) {
    String value = params.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed <= 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION,
          "option "
              + key
              + " must be a positive integer, got '"
              + value
              + "' for "
              + config.redactedUri());
    }
  }

  /** A unit of work on one connection, allowed to throw the driver's exception. */
  @FunctionalInterface
  interface SqlWork {
    void run(Connection connection) throws SQLException;
  }

  /** Keys the adapter itself consumes; every other parameter goes through to the JDBC driver. */
  static final List<String> OWN_KEYS =
      List.of("pool.size", "pool.timeout", "synchronous", "user", "password");

  static Map<String, String> driverParams(Map<String, String> params) {
    Map<String, String> out = new LinkedHashMap<>();
    params.forEach(
        (k, v) -> {
          if (!OWN_KEYS.contains(k) && !k.startsWith("pool.")) {
            out.put(k, v);
          }
        });
    return out;
  }

  private static String requirePath(String path, StorageConfig config) {
    if (path.isBlank()) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION,
          "storage URI needs a path, as in " + config.scheme() + ":./data/polysync.db");
    }
    return path;
  }

  private static Map<String, String> parseQuery(String query, StorageConfig config) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new SyncException(
            StorageError.INVALID_CONFIGURATION,
            "malformed query parameter in " + config.redactedUri());
      }
      out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
    }
    return out;
  }

  static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** {@code [user[:password]@]host[:port]/database} of a server URI. */
  record ServerAddress(String host, int port, String database, String user, String password) {

    static ServerAddress parse(
        String rest, int defaultPort, StorageConfig config, Map<String, String> params) {
      if (!rest.startsWith("//")) {
        throw invalid(config);
      }
      rest = rest.substring(2);
      String user = null;
      String password = null;
      // The last '@' ends the credentials, so a password may itself hold '@'.
      int at = rest.lastIndexOf('@');
      if (at >= 0) {
        String userInfo = rest.substring(0, at);
        rest = rest.substring(at + 1);
        int colon = userInfo.indexOf(':');
        if (colon >= 0) {
          user = decode(userInfo.substring(0, colon));
          password = decode(userInfo.substring(colon + 1));
        } else {
          user = decode(userInfo);
        }
      }
      int slash = rest.indexOf('/');
      if (slash < 0 || slash == rest.length() - 1) {
        throw invalid(config);
      }
      String hostPort = rest.substring(0, slash);
      String database = decode(rest.substring(slash + 1));
      String host = hostPort;
      int port = defaultPort;
      int portColon = hostPort.lastIndexOf(':');
      if (portColon >= 0 && portColon > hostPort.lastIndexOf(']')) {
        host = hostPort.substring(0, portColon);
        try {
          port = Integer.parseInt(hostPort.substring(portColon + 1));
        } catch (NumberFormatException e) {
          throw invalid(config);
        }
      }
      if (host.isEmpty()) {
        throw invalid(config);
      }
      if (params.containsKey("user")) {
        user = params.get("user");
      }
      if (params.containsKey("password")) {
        password = params.get("password");
      }
      return new ServerAddress(host, port, database, user, password);
    }

    Properties credentials() {
      Properties props = new Properties();
      if (user != null) {
        props.setProperty("user", user);
      }
      if (password != null) {
        props.setProperty("password", password);
      }
      return props;
    }

    private static SyncException invalid(StorageConfig config) {
      return new SyncException(
          StorageError.INVALID_CONFIGURATION,
          "expected "
              + config.scheme()
              + "://[user[:password]@]host[:port]/database, got "
              + config.redactedUri());
    }

    @Override
    public String toString() {
      return "ServerAddress[" + host + ":" + port + "/" + database + "]";
    }
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
