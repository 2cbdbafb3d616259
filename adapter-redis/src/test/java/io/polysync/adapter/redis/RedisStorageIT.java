package io.polysync.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;

/**
 * The storage compliance kit against the Redis on this machine (127.0.0.1:6379, database 0), every
 * key under a random prefix of this run that is removed afterwards; skipped when Redis is absent,
 * failed in CI.
 */
final class RedisStorageIT {
  private static ScratchPrefix scratch;

  /** One prefix for every kit part of this run, chosen on first use. */
  static synchronized StorageConfig config() {
    if (scratch == null) {
      scratch = ScratchPrefix.create();
    }
    return scratch.config();
  }

  @AfterAll
  static synchronized void removeKeys() {
    if (scratch != null) {
      scratch.drop();
      assertThat(scratch.count()).as("keys left under %s", scratch.prefix()).isZero();
    }
  }

  @Nested
  final class BadInput extends BadInputTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class Blobs extends BlobsTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class Changes extends ChangesTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class Concurrency extends ConcurrencyTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class Documents extends DocumentsTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class Durability extends DurabilityTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class Locals extends LocalsTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class MultiInstance extends MultiInstanceTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class Namespaces extends NamespacesTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class Query extends QueryTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }

  @Nested
  final class Signals extends SignalsTck {
    @Override
    protected StorageConfig config() {
      return RedisStorageIT.config();
    }
  }
}
