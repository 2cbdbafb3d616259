package io.polysync.adapter.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.polysync.spi.BlobStore;
import io.polysync.spi.Capabilities;
import io.polysync.spi.Capability;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.LocalStore;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/** One open SQL database: the pool, the schema check, and the SPI parts over them. */
final class SqlStorage implements Storage {
  static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  private static final int MAX_BATCH = 10_000;
  private static final int ATTEMPTS = 5;
  private static final AtomicInteger POOLS = new AtomicInteger();
  static final int DEFAULT_POOL_TIMEOUT_MS = 5_000;

  static final Settings SETTINGS =
      new Settings()
          .withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED)
          .withExecuteLogging(false)
          .withRenderFormatted(false);

  final SqlDialectSupport support;
  final DSLContext dsl;
  private final HikariDataSource pool;
  private final long poolTimeoutNanos;
  private final Capabilities capabilities;
  private final AtomicBoolean closed = new AtomicBoolean();
  // Keeps an in-memory H2 database alive while this storage is open.
  private final Connection keeper;

  private final SqlNamespaceStore namespaces;
  private final SqlDocumentStore documents;
  private final SqlLocalStore locals;
  private final SqlBlobStore blobs;
  private final SqlQueryStore queries;
  final SqlChangeSignals signals;
  private final ConcurrentHashMap<String, RenderedStatement> rendered = new ConcurrentHashMap<>();

  SqlStorage(SqlDialectSupport support) {
    this.support = support;
    SqlDialectSupport.Target target = support.target();
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("polysync-" + support.backend() + "-" + POOLS.incrementAndGet());
    hc.setJdbcUrl(target.jdbcUrl());
    hc.setDriverClassName(target.driverClass());
    hc.setDataSourceProperties(target.properties());
    hc.setMaximumPoolSize(support.intOption("pool.size", support.defaultPoolSize()));
    // While the database is away every call waits this long for a connection before it fails as
    // unavailable; HikariCP's 30 s default outlasts most HTTP clients' and load balancers'
    // patience, while 5 s still lets a briefly saturated pool serve its queue.
    this.poolTimeoutNanos =
        TimeUnit.MILLISECONDS.toNanos(support.intOption("pool.timeout", DEFAULT_POOL_TIMEOUT_MS));
    hc.setConnectionTimeout(TimeUnit.NANOSECONDS.toMillis(poolTimeoutNanos));
    if (support instanceof MariaDbSupport) {
      hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    }
    if (support instanceof SqliteSupport) {
      // A new connection switches the file to WAL, which needs the file's lock: several
      // processes (or storages) opening one new database at once can see SQLITE_BUSY there,
      // before any busy timeout applies. The pool then tries again for up to its timeout
      // instead of failing the start on the first attempt.
      hc.setInitializationFailTimeout(TimeUnit.NANOSECONDS.toMillis(poolTimeoutNanos));
    }
    Connection keep = null;
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new SyncException(
          StorageError.UNAVAILABLE,
          "cannot connect to " + support.config.redactedUri() + ": " + rootMessage(e),
          e);
    }
    try {
      if (support instanceof H2Support h2 && h2.inMemory()) {
        keep = ds.getConnection();
      }
      SqlSchema.migrate(ds, support);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(keep);
      ds.close();
      if (e instanceof SyncException sync) {
        throw sync;
      }
      throw SqlErrors.translateThrowable(e, support, "opening the database");
    }
    this.pool = ds;
    this.keeper = keep;
    this.dsl = DSL.using(ds, support.dialect(), SETTINGS);

    Set<Capability> flags =
        EnumSet.of(Capability.QUERY_PUSHDOWN, Capability.ATOMIC_BATCHES, Capability.LOCAL_LISTING);
    if (support.multiProcess()) {
      flags.add(Capability.MULTI_PROCESS);
    }
    if (support.nativeSignals()) {
      flags.add(Capability.NATIVE_CHANGE_SIGNALS);
    }
    this.capabilities =
        new Capabilities(
            flags,
            support.maxValueBytes(),
            MAX_BATCH,
            support.nativeSignals() ? Duration.ZERO : POLL_INTERVAL);
    this.signals = new SqlChangeSignals(this);
    this.namespaces = new SqlNamespaceStore(this);
    this.documents = new SqlDocumentStore(this);
    this.locals = new SqlLocalStore(this);
    this.blobs = new SqlBlobStore(this);
    this.queries = new SqlQueryStore(this);
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public NamespaceStore namespaces() {
    return namespaces;
  }

  @Override
  public DocumentStore documents() {
    return documents;
  }

  @Override
  public LocalStore locals() {
    return locals;
  }

  @Override
  public BlobStore blobs() {
    return blobs;
  }

  @Override
  public QueryStore queries() {
    return queries;
  }

  @Override
  public ChangeSignals signals() {
    return signals;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      signals.close();
      closeQuietly(keeper);
      pool.close();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Opens a connection outside the pool, for the PostgreSQL listener. */
  Connection connectDirect(String applicationName) throws SQLException {
    SqlDialectSupport.Target target = support.target();
    Properties props = new Properties();
    props.putAll(target.properties());
    props.setProperty("ApplicationName", applicationName);
    try {
      Driver driver =
          (Driver) Class.forName(target.driverClass()).getDeclaredConstructor().newInstance();
      return driver.connect(target.jdbcUrl(), props);
    } catch (ReflectiveOperationException e) {
      throw new SQLException("JDBC driver " + target.driverClass() + " not loadable", e);
    }
  }

  /**
   * Runs reads, retried when the connection failed or a lock conflict rolled them back: a read
   * changes nothing, so running it again is always safe.
   */
  <T> T read(String what, Function<DSLContext, T> work) {
    return transact(what, false, true, work);
  }

  /**
   * The statement {@code name}, rendered for this storage's dialect the first time it is asked
   * for (see {@link RenderedStatement}).
   */
  RenderedStatement rendered(
      String name,
      List<RenderedStatement.Arg> args,
      Function<List<org.jooq.Param<?>>, org.jooq.Query> shape) {
    RenderedStatement found = rendered.get(name);
    return found != null
        ? found
        : rendered.computeIfAbsent(name, k -> RenderedStatement.render(dsl, args, shape));
  }

  /**
   * Runs one auto-committed statement that writes, retried only after a lock conflict rolled it
   * back. After a connection failure its outcome is unknown, and rerunning a compare-and-set that
   * did apply would report a conflict for a write that succeeded; the caller gets UNAVAILABLE.
   */
  <T> T statement(String what, Function<DSLContext, T> work) {
    return transact(what, false, false, work);
  }

  /**
   * Runs {@code work} in one transaction, rerunning it when the database rolled it back for a lock
   * conflict (deadlock, serialization failure, busy database): nothing of a rolled-back attempt
   * stays, so a rerun cannot apply anything twice.
   */
  <T> T inTransaction(String what, Function<DSLContext, T> work) {
    return transact(what, true, false, work);
  }

  private <T> T transact(
      String what, boolean transaction, boolean readOnly, Function<DSLContext, T> work) {
    // A read whose connection broke is rerun at once (after a database restart, the pool may
    // still hold connections from before it); but once a whole pool timeout has gone by, the
    // database is away, and another attempt would only make the caller wait as long again.
    long retryUntil = System.nanoTime() + poolTimeoutNanos;
    for (int attempt = 1; ; attempt++) {
      ensureOpen();
      try {
        if (readOnly) {
          return work.apply(dsl);
        }
        return support.write(() -> transaction ? dsl.transactionResult(cfg -> work.apply(cfg.dsl())) : work.apply(dsl));
      } catch (SyncException e) {
        throw e;
      } catch (RuntimeException e) {
        if (isClosed()) {
          throw closedError();
        }
        boolean again =
            SqlErrors.isTransient(e, support)
                || readOnly
                    && SqlErrors.isConnectionFailure(e)
                    && System.nanoTime() - retryUntil < 0;
        if (again && attempt < ATTEMPTS) {
          backOff(attempt);
          continue;
        }
        throw SqlErrors.translate(e, support, what);
      }
    }
  }

  @Override
  public String toString() {
    return "SqlStorage[" + support.config.redactedUri() + "]";
  }

  void ensureOpen() {
    if (isClosed()) {
      throw closedError();
    }
  }

  private SyncException closedError() {
    return new SyncException(
        StorageError.UNAVAILABLE, "storage " + support.config.redactedUri() + " is closed");
  }

  private static void backOff(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 10L << attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SyncException(StorageError.UNAVAILABLE, "interrupted while retrying", e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // Closing on the way out: nothing left to do with the failure.
      }
    }
  }
}
