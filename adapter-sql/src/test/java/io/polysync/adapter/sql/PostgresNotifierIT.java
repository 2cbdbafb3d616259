package io.polysync.adapter.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.ChangeSignals;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL listener connection survives being killed by the server. */
final class PostgresNotifierIT {
  private static String database;
  private static StorageConfig config;

  @BeforeAll
  static void createDatabase() {
    database = ScratchDatabase.POSTGRESQL.create();
    config = ScratchDatabase.POSTGRESQL.config(database);
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    ScratchDatabase.POSTGRESQL.drop(database);
  }

  @Test
  void listenerConnectionTerminated_reconnectsAndSignalsLaterCommits() throws Exception {
    String ns = "notifier-" + UUID.randomUUID();
    try (Storage listening = Storages.open(config);
        Storage writing = Storages.open(config)) {
      writing.namespaces().create(ns, Map.of());
      List<Long> seqs = new CopyOnWriteArrayList<>();
      ChangeSignals.Subscription subscription =
          listening.signals().subscribe(ns, (name, seq) -> seqs.add(seq));
      try {
        Set<Integer> killed = terminateListeners();
        assertThat(killed).as("listener connections terminated").isNotEmpty();
        WriteResult.Written w =
            (WriteResult.Written)
                writing
                    .documents()
                    .write(
                        ns,
                        List.of(
                            new WriteItem("d", "1-a", false, new byte[] {1}, 0, Optional.empty())))
                    .get(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seqs.stream().noneMatch(seq -> seq >= w.seq()) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(seqs)
            .as("signals after the listener was killed")
            .anyMatch(seq -> seq >= w.seq());
        Set<Integer> now = listeners();
        while ((now.isEmpty() || !Collections.disjoint(now, killed))
            && System.nanoTime() < deadline) {
          Thread.sleep(20);
          now = listeners();
        }
        assertThat(now)
            .as("a new listener connection")
            .isNotEmpty()
            .doesNotContainAnyElementsOf(killed);
      } finally {
        subscription.close();
        writing.namespaces().drop(ns);
      }
    }
  }

  private static Connection admin() throws SQLException {
    return ScratchDatabase.POSTGRESQL.connect(database);
  }

  private static Set<Integer> listeners() throws SQLException {
    return pids("SELECT pid FROM pg_stat_activity WHERE application_name = ?");
  }

  /** Terminates by pid, so no other connection can be hit by a reordered filter. */
  private static Set<Integer> terminateListeners() throws SQLException {
    Set<Integer> pids = listeners();
    try (Connection c = admin();
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      for (int pid : pids) {
        ps.setInt(1, pid);
        ps.executeQuery().close();
      }
    }
    return pids;
  }

  private static Set<Integer> pids(String sql) throws SQLException {
    Set<Integer> pids = new HashSet<>();
    try (Connection c = admin();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, PostgresNotifier.APPLICATION_NAME);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          pids.add(rs.getInt(1));
        }
      }
    }
    return pids;
  }
}
