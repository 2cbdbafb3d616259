package io.polysync.adapter.mongo;

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
 * The whole storage compliance kit through the real MongoDB driver against the in-process stand-in
 * ({@link StandInServer}, oplog enabled): a standalone server without transactions, so the write
 * lease path runs, with change streams. Each kit part uses a database of its own.
 */
final class MongoStorageTest {
  @Nested
  final class BadInput extends BadInputTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("badinput"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class Blobs extends BlobsTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("blobs"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class Changes extends ChangesTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("changes"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class Concurrency extends ConcurrencyTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("concurrency"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class Documents extends DocumentsTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("documents"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class Durability extends DurabilityTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("durability"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class Locals extends LocalsTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("locals"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class MultiInstance extends MultiInstanceTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("multiinstance"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class Namespaces extends NamespacesTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("namespaces"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class Query extends QueryTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("query"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class Signals extends SignalsTck {
    private final StorageConfig config = StorageConfig.of(StandInServer.freshUri("signals"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }
}
