package io.polysync.adapter.sql;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Receives other processes' commits through PostgreSQL LISTEN/NOTIFY on one dedicated connection
 * outside the pool. Writers send {@code pg_notify} inside their transaction, so a notification is
 * delivered exactly when its commit becomes visible. After every (re)connect every watched
 * namespace is signalled with its current sequence, since notifications sent while the connection
 * was down are lost.
 */
final class PostgresNotifier implements SqlChangeSignals.Watcher, Runnable {
  private static final System.Logger LOG = System.getLogger(PostgresNotifier.class.getName());

  /** Names the listener's connection in {@code pg_stat_activity}. */
  static final String APPLICATION_NAME = "polysync-listener";

  /**
   * Reconnection attempts back off to at most a second apart: when the database returns, other
   * processes' commits reach this one's waiting readers within about that long.
   */
  private static final long FIRST_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 1_000;
  private static final long LIVENESS_CHECK_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int LIVENESS_TIMEOUT_SECONDS = 5;

  private final SqlStorage storage;
  private final SqlChangeSignals signals;
  private final Thread thread;
  private final CountDownLatch firstListen = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile Connection connection;

  PostgresNotifier(SqlStorage storage, SqlChangeSignals signals) {
    this.storage = storage;
    this.signals = signals;
    this.thread = new Thread(this, "polysync-postgresql-listener");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void watch(String namespace) {
    // A subscriber that arrives before LISTEN is active is covered by the signal-all after it; wait
    // briefly for it so the common case needs no such catch-up.
    try {
      firstListen.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void run() {
    long backoff = FIRST_BACKOFF_MS;
    boolean failing = false;
    while (running) {
      try {
        Connection c = storage.connectDirect(APPLICATION_NAME);
        connection = c;
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + PostgresSupport.CHANNEL);
        }
        firstListen.countDown();
        signalAll(c);
        if (failing) {
          LOG.log(Level.INFO, "change listener reconnected");
          failing = false;
        }
        backoff = FIRST_BACKOFF_MS;
        PGConnection pg = c.unwrap(PGConnection.class);
        long lastChecked = System.nanoTime();
        while (running) {
          PGNotification[] received = pg.getNotifications(500);
          if (received != null) {
            for (PGNotification n : received) {
              dispatch(n.getParameter());
            }
          } else if (System.nanoTime() - lastChecked > LIVENESS_CHECK_NANOS) {
            // Waiting for notifications only reads: a server that vanished without closing the
            // connection (a network partition, a frozen host) would leave it waiting forever.
            if (!c.isValid(LIVENESS_TIMEOUT_SECONDS)) {
              throw new SQLException("the connection does not answer", "08006");
            }
            lastChecked = System.nanoTime();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          return;
        }
        // One line per outage, not one per attempt: the database may be away for a while.
        LOG.log(
            failing ? Level.DEBUG : Level.WARNING,
            "change listener connection failed; reconnecting: " + e.getMessage());
        failing = true;
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      } finally {
        closeConnection();
      }
    }
  }

  private void dispatch(String payload) {
    int colon = payload.indexOf(':');
    if (colon <= 0) {
      return;
    }
    String namespace = payload.substring(colon + 1);
    if (signals.hasListeners(namespace)) {
      try {
        signals.signal(namespace, Long.parseLong(payload.substring(0, colon)));
      } catch (NumberFormatException e) {
        // Someone else's payload on our channel: not ours to act on.
      }
    }
  }

  private void signalAll(Connection c) throws SQLException {
    Set<String> watched = signals.watched();
    if (watched.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT last_seq FROM polysync_namespaces WHERE name = ?")) {
      for (String ns : watched) {
        ps.setBytes(1, ns.getBytes(StandardCharsets.UTF_8));
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getLong(1) > 0) {
            signals.signal(ns, rs.getLong(1));
          }
        }
      }
    }
  }

  static String payload(String namespace, long seq) {
    return seq + ":" + namespace;
  }

  private void closeConnection() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // Reconnecting or shutting down either way.
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    closeConnection();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
