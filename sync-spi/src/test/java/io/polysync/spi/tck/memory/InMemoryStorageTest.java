package io.polysync.spi.tck.memory;

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
import org.junit.jupiter.api.Nested;

/**
 * The whole compliance kit against the reference adapter; durability against its journaled mode,
 * since a plain memory database dies with its process.
 */
final class InMemoryStorageTest {
  private static final StorageConfig CONFIG = StorageConfig.of("memory:tck");

  static StorageConfig journaled(boolean force) {
    java.io.File journal =
        new java.io.File(System.getProperty("java.io.tmpdir"), "polysync-tck-" + java.util.UUID.randomUUID() + ".journal");
    journal.deleteOnExit();
    return new StorageConfig(
        "memory:durable",
        java.util.Map.of(
            InMemoryStorageProvider.JOURNAL, journal.getPath(),
            InMemoryStorageProvider.JOURNAL_FORCE, Boolean.toString(force)));
  }

  @Nested
  final class Namespaces extends NamespacesTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }

  @Nested
  final class Documents extends DocumentsTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }

  @Nested
  final class Changes extends ChangesTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }

  @Nested
  final class Locals extends LocalsTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }

  @Nested
  final class Blobs extends BlobsTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }

  @Nested
  final class BadInput extends BadInputTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }
  @Nested
  final class Query extends QueryTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }

  @Nested
  final class Signals extends SignalsTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }

  @Nested
  final class Concurrency extends ConcurrencyTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }

  @Nested
  final class MultiInstance extends MultiInstanceTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }
  }

  @Nested
  final class Durability extends DurabilityTck {
    private final StorageConfig config = journaled(true);

    @Override
    protected StorageConfig config() {
      return config;
    }
  }
}
