package io.polysync.adapter.sql;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.tck.BadInputTck;
import io.polysync.spi.tck.BlobsTck;
import io.polysync.spi.tck.ChangesTck;
import io.polysync.spi.tck.ConcurrencyTck;
import io.polysync.spi.tck.DocumentsTck;
import io.polysync.spi.tck.DurabilityTck;
import io.polysync.spi.tck.LocalsTck;
import io.polysync.spi.tck.MultiInstanceTck;
import io.polysync.spi.tck.NamespacesTck;
import io.polysync.spi.tck.QueryTck;
import io.polysync.spi.tck.SignalsTck;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;

/**
 * The storage compliance kit against MariaDB on this machine (127.0.0.1:3306, a scratch database of its own);
 * skipped when absent, failed in CI.
 */
final class MariaDbStorageIT {
  private static String database;

  /** One scratch database for every kit part of this run, created on first use. */
  static synchronized StorageConfig config() {
    if (database == null) {
      database = ScratchDatabase.MARIADB.create();
    }
    return ScratchDatabase.MARIADB.config(database);
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    ScratchDatabase.MARIADB.drop(database);
  }

  @Nested
  final class BadInput extends BadInputTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class Blobs extends BlobsTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class Changes extends ChangesTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class Concurrency extends ConcurrencyTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class Documents extends DocumentsTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class Durability extends DurabilityTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class Locals extends LocalsTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class MultiInstance extends MultiInstanceTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class Namespaces extends NamespacesTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class Query extends QueryTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }

  @Nested
  final class Signals extends SignalsTck {
    @Override
    protected StorageConfig config() {
      return MariaDbStorageIT.config();
    }
  }
}
