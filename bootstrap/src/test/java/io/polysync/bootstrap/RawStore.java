package io.polysync.bootstrap;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.RawBsonDocument;

/**
 * One backend seen from below the server: a fresh database (or key prefix) of its own, the storage
 * URI that points the server at it, and every byte stored there, read without Polysync.
 *
 * <p>A new backend adds an implementation here and an entry in {@link #all}.
 */
interface RawStore extends AutoCloseable {
  String name();

  String storageUri();

  /** Everything stored, as ISO-8859-1 text (one char per byte), while the server runs. */
  String dumpWhileRunning() throws Exception;

  /** Everything stored once the server has stopped (files checkpointed and unlocked). */
  String dumpAfterStop() throws Exception;

  /** Drops the scratch database. */
  @Override
  void close() throws Exception;

  static List<String> all() {
    return List.of("sqlite", "h2", "postgresql", "mariadb", "redis", "mongodb");
  }

  static RawStore create(String name, Path dir) {
    return switch (name) {
      case "sqlite" -> new Sqlite(dir);
      case "h2" -> new H2(dir);
      case "postgresql" -> SqlServer.create("PostgreSQL", 5432, "jdbc:postgresql://127.0.0.1:5432/%s?user=postgres",
          "postgresql://postgres@127.0.0.1:5432/%s", "DROP DATABASE IF EXISTS %s WITH (FORCE)", "public");
      case "mariadb" -> SqlServer.create("MariaDB", 3306, "jdbc:mariadb://127.0.0.1:3306/%s?user=root",
          "mariadb://root@127.0.0.1:3306/%s", "DROP DATABASE IF EXISTS %s", null);
      case "redis" -> new Redis();
      case "mongodb" -> new Mongo();
      default -> throw new IllegalArgumentException(name);
    };
  }

  /**
   * Returns when {@code host:port} accepts a connection; otherwise skips the test on a developer
   * machine, loudly, and fails it in CI ({@code CI=true}), as the compliance kit's {@code Services}
   * does.
   */
  static void requireReachable(String host, int port, String what) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(host, port), 2_000);
    } catch (IOException e) {
      String reason = what + " at " + host + ":" + port + " is not reachable (" + e.getMessage() + ")";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("FAILED: " + reason + "; CI must run every backend");
      }
      System.err.println("*** SKIPPED: " + reason + "; start it to run this test (in CI it fails) ***");
      org.junit.jupiter.api.Assumptions.abort("SKIPPED: " + reason);
    }
  }

  static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** Every row of every table, each column read as bytes (binary types) or text (the rest). */
  static String dumpTables(Connection c, String schema) throws SQLException {
    StringBuilder out = new StringBuilder();
    DatabaseMetaData meta = c.getMetaData();
    List<String> tables = new ArrayList<>();
    try (ResultSet rs = meta.getTables(c.getCatalog(), schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        tables.add(rs.getString("TABLE_NAME"));
      }
    }
    if (tables.isEmpty()) {
      throw new AssertionError("no tables found: the dump would prove nothing");
    }
    for (String table : tables) {
      String quoted = meta.getIdentifierQuoteString().strip() + table + meta.getIdentifierQuoteString().strip();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + quoted)) {
        ResultSetMetaData cols = rs.getMetaData();
        while (rs.next()) {
          out.append('\n').append(table).append(':');
          for (int i = 1; i <= cols.getColumnCount(); i++) {
            switch (cols.getColumnType(i)) {
              case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                byte[] b = rs.getBytes(i);
                out.append(b == null ? "" : latin1(b));
              }
              default -> {
                String s = rs.getString(i);
                out.append(s == null ? "" : latin1(s.getBytes(StandardCharsets.UTF_8)));
              }
            }
            out.append('|');
          }
        }
      }
    }
    return out.toString();
  }

  /** SQLite: the database file with its WAL and shared-memory files, and every table through JDBC. */
  final class Sqlite implements RawStore {
    private final Path file;

    Sqlite(Path dir) {
      this.file = dir.resolve("raw.db");
    }

    @Override
    public String name() {
      return "sqlite";
    }

    @Override
    public String storageUri() {
      return "sqlite:" + file;
    }

    private String files() throws IOException {
      StringBuilder out = new StringBuilder();
      for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
        Path f = file.resolveSibling(file.getFileName() + suffix);
        if (Files.exists(f)) {
          out.append(latin1(Files.readAllBytes(f)));
        }
      }
      return out.toString();
    }

    @Override
    public String dumpWhileRunning() throws Exception {
      String files = files();
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
        return files + dumpTables(c, null);
      }
    }

    @Override
    public String dumpAfterStop() throws Exception {
      return dumpWhileRunning();
    }

    @Override
    public void close() {}
  }

  /** H2: the {@code .mv.db} file (and any trace or temp file beside it), and every table through JDBC. */
  final class H2 implements RawStore {
    private final Path dir;
    private final Path base;

    H2(Path dir) {
      this.dir = dir;
      this.base = dir.resolve("raw");
    }

    @Override
    public String name() {
      return "h2";
    }

    @Override
    public String storageUri() {
      return "h2:" + base;
    }

    @Override
    public String dumpWhileRunning() {
      // The embedded database is locked by the server's process; read after it stops.
      return "";
    }

    @Override
    public String dumpAfterStop() throws Exception {
      StringBuilder out = new StringBuilder();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.getFileName().toString().startsWith("raw")).toList()) {
          out.append(latin1(Files.readAllBytes(f)));
        }
      }
      try (Connection c = DriverManager.getConnection("jdbc:h2:" + base + ";IFEXISTS=TRUE")) {
        out.append(dumpTables(c, "PUBLIC"));
      }
      return out.toString();
    }

    @Override
    public void close() {}
  }

  /** PostgreSQL or MariaDB: a scratch database on the local server, every table through JDBC. */
  final class SqlServer implements RawStore {
    private final String label;
    private final String jdbcUrl;
    private final String storageUri;
    private final String dropSql;
    private final String schema;
    private final String database;

    private SqlServer(String label, String jdbcUrl, String storageUri, String dropSql, String schema, String database) {
      this.label = label;
      this.jdbcUrl = jdbcUrl;
      this.storageUri = storageUri;
      this.dropSql = dropSql;
      this.schema = schema;
      this.database = database;
    }

    static SqlServer create(String label, int port, String jdbcUrl, String storageUri, String dropSql, String schema) {
      requireReachable("127.0.0.1", port, label);
      String name = "polysync_atrest_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      try (Connection c = DriverManager.getConnection(jdbcUrl.formatted("test")); Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + name);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot create the scratch database " + name + " on " + label, e);
      }
      return new SqlServer(label, jdbcUrl, storageUri, dropSql, schema, name);
    }

    @Override
    public String name() {
      return label.toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String storageUri() {
      return storageUri.formatted(database);
    }

    @Override
    public String dumpWhileRunning() throws Exception {
      try (Connection c = DriverManager.getConnection(jdbcUrl.formatted(database))) {
        return dumpTables(c, schema);
      }
    }

    @Override
    public String dumpAfterStop() throws Exception {
      return dumpWhileRunning();
    }

    @Override
    public void close() throws Exception {
      try (Connection c = DriverManager.getConnection(jdbcUrl.formatted("test")); Statement st = c.createStatement()) {
        st.execute(dropSql.formatted(database));
      }
    }
  }

  /** Redis: every key under a scratch prefix, read by type (GET, HGETALL, ZRANGE, LRANGE, SMEMBERS) and DUMPed. */
  final class Redis implements RawStore {
    private final String prefix = "polysync-atrest-" + UUID.randomUUID().toString().substring(0, 12) + ":";

    Redis() {
      requireReachable("127.0.0.1", 6379, "Redis");
    }

    @Override
    public String name() {
      return "redis";
    }

    @Override
    public String storageUri() {
      return "redis://127.0.0.1:6379/0?prefix=" + prefix;
    }

    @Override
    public String dumpWhileRunning() {
      return scan(false);
    }

    @Override
    public String dumpAfterStop() {
      return scan(false);
    }

    @Override
    public void close() {
      scan(true);
    }

    private String scan(boolean delete) {
      RedisClient client = RedisClient.create("redis://127.0.0.1:6379/0");
      try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
        RedisCommands<byte[], byte[]> redis = c.sync();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(1000);
        ScanCursor cursor = ScanCursor.INITIAL;
        int keys = 0;
        do {
          KeyScanCursor<byte[]> page = redis.scan(cursor, match);
          for (byte[] key : page.getKeys()) {
            keys++;
            if (delete) {
              redis.unlink(key);
              continue;
            }
            out.writeBytes(key);
            String type = redis.type(key);
            switch (type) {
              case "string" -> write(out, redis.get(key));
              case "hash" -> {
                for (Map.Entry<byte[], byte[]> e : redis.hgetall(key).entrySet()) {
                  write(out, e.getKey());
                  write(out, e.getValue());
                }
              }
              case "zset" -> {
                for (ScoredValue<byte[]> v : redis.zrangeWithScores(key, 0, -1)) {
                  write(out, v.getValue());
                }
              }
              case "list" -> redis.lrange(key, 0, -1).forEach(v -> write(out, v));
              case "set" -> redis.smembers(key).forEach(v -> write(out, v));
              default -> throw new AssertionError("a key of type " + type + " the dump does not read: "
                  + latin1(key));
            }
            write(out, redis.dump(key));
          }
          cursor = page;
        } while (!cursor.isFinished());
        if (!delete && keys == 0) {
          throw new AssertionError("no keys under " + prefix + ": the dump would prove nothing");
        }
        return latin1(out.toByteArray());
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }

    private static void write(ByteArrayOutputStream out, byte[] bytes) {
      out.write('|');
      if (bytes != null) {
        out.writeBytes(bytes);
      }
    }
  }

  /**
   * MongoDB: a fresh database on the stand-in (mongo-java-server, in this JVM, oplog on), dumped as
   * every document of every collection read as raw BSON bytes, plus every index definition. The
   * stand-in's oplog lives in its {@code local} database and holds the same documents, so it is
   * dumped too.
   */
  final class Mongo implements RawStore {
    private static MongoServer server;
    private static int port;
    private final String database = "polysync_atrest_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    Mongo() {
      synchronized (Mongo.class) {
        if (server == null) {
          server = new MongoServer(new MemoryBackend());
          server.enableOplog();
          port = server.bind().getPort();
        }
      }
    }

    @Override
    public String name() {
      return "mongodb";
    }

    @Override
    public String storageUri() {
      return "mongodb://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public String dumpWhileRunning() {
      try (MongoClient client = MongoClients.create(storageUri())) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int documents = dump(client.getDatabase(database), out);
        if (documents == 0) {
          throw new AssertionError("no documents in " + database + ": the dump would prove nothing");
        }
        dump(client.getDatabase("local"), out);
        return latin1(out.toByteArray());
      }
    }

    private static int dump(MongoDatabase db, ByteArrayOutputStream out) {
      int documents = 0;
      for (String name : db.listCollectionNames()) {
        out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
        var collection = db.getCollection(name, RawBsonDocument.class);
        for (RawBsonDocument doc : collection.find()) {
          documents++;
          out.write('|');
          var bytes = doc.getByteBuffer();
          byte[] copy = new byte[bytes.remaining()];
          bytes.get(copy);
          out.writeBytes(copy);
        }
        for (Document index : collection.listIndexes()) {
          out.write('|');
          out.writeBytes(index.toJson().getBytes(StandardCharsets.UTF_8));
        }
      }
      return documents;
    }

    @Override
    public String dumpAfterStop() {
      return dumpWhileRunning();
    }

    @Override
    public void close() {
      try (MongoClient client = MongoClients.create(storageUri())) {
        client.getDatabase(database).drop();
      }
    }
  }
}
